#pragma once
// What a projection's distances mean for one model. A raw distance says little: a flat 1x1 PNG projects
// "closer" than a real melanoma. So each readout is placed in the distribution of the same distance for real
// lesions the model never saw (held-out split, projected with the same settings), and an input is first
// checked for being a dermoscopic lesion at all: trivial images (tiny, almost constant) are refused, and an
// image whose derm features lie farther from the training lesions than almost every held-out lesion is
// flagged out of distribution (Mahalanobis distance in feature space: Lee et al., NeurIPS 2018, "A simple
// unified framework for detecting out-of-distribution samples").
//
// Files: <model>.calibration.json (settings, model and extractor hashes, held-out summaries, the command
// that made it) beside <model>.calibration.npz (the arrays), as `dermgan project --calibrate` writes them.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include "explain/image_distances.h"

namespace dermgan::explain {

// Why an image is too trivial to be a dermoscopic photograph (empty when it is not): under 32 pixels on a
// side, or almost constant (standard deviation under 2 grey levels in every channel).
// rgb: CV_8UC3 as read from the file, before any resizing.
std::string trivialImageReason(const cv::Mat& rgb);

// Mahalanobis distance to a feature distribution, with the covariance shrunk toward its mean variance (so
// that 256-D features from a few thousand images give a stable inverse).
struct FeatureNovelty {
    torch::Tensor mean;       // float64 [D]
    torch::Tensor precision;  // float64 [D, D], the inverse of the shrunk covariance

    // features: float [N, D] (N > 1). shrinkage in [0, 1]: covariance = (1 - s) cov + s * mean variance * I.
    static FeatureNovelty fit(const torch::Tensor& features, double shrinkage = 0.1);
    // float [N, D] -> N distances (sqrt of the quadratic form), in the order given.
    std::vector<double> distances(const torch::Tensor& features) const;
};

// The percentage (0-100) of `sample` at or below `value`. Empty sample: NaN.
double percentileOf(std::vector<double> sample, double value);

struct ProjectionCalibration {
    std::string modelHash, extractor, extractorHash, dataset, subset, space, command;
    int steps = 0;
    std::uint64_t splitSeed = 0;
    FeatureNovelty novelty;                                      // of the training split's features
    std::vector<double> heldOutNovelty;                          // each held-out lesion's novelty
    std::map<std::string, std::vector<double>> heldOutDistances; // "rmse", "ssim", "perceptual", "feature_cosine"
};

// Adds one held-out lesion's projection readouts to the calibration.
void addHeldOutProjection(ProjectionCalibration& calibration, const ImageDistances& distances);

// What the calibration says of one projected image.
struct CalibratedReading {
    double novelty = 0;            // Mahalanobis distance of its derm features to the training lesions'
    double noveltyPercentile = 0;  // share of held-out real lesions at or below it
    bool outOfDistribution = false;
    std::map<std::string, double> percentiles;  // per distance: share of held-out lesions projected at least as close;
                                                // empty when out of distribution (never ranked)
};

// An image is out of distribution when its novelty exceeds that of this share of held-out real lesions.
constexpr double kOutOfDistributionPercentile = 99.0;

// features: float [1, D] or [D] of the target; distances: its projection's readouts.
CalibratedReading readCalibrated(const ProjectionCalibration& calibration, const torch::Tensor& features,
                                 const ImageDistances& distances);

// One line for reports: "closer than 35% of held-out real lesions (perceptual), ..." or the warning.
std::string describe(const CalibratedReading& reading);

// <model>.calibration.json for a model file.
std::filesystem::path calibrationPathFor(const std::filesystem::path& model);
// Writes the .json and the .npz beside it, atomically each.
void writeCalibration(const std::filesystem::path& json, const ProjectionCalibration& calibration);
// Reads a calibration; InputError (one line naming the file) when it is damaged or made for another model
// (expectedModelHash non-empty and different).
ProjectionCalibration readCalibration(const std::filesystem::path& json, const std::string& expectedModelHash = {});
// The calibration beside `model` when there is one, else nullopt (errors as readCalibration).
std::optional<ProjectionCalibration> findCalibration(const std::filesystem::path& model, const std::string& modelHash);

} // namespace dermgan::explain
