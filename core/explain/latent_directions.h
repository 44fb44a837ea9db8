#pragma once
// Named directions in W that the explorer shows as sliders, and the editing helper that applies them.
// - PCA of sampled w (GANSpace, Härkönen et al. 2020): unit principal axes with their explained variance
//   and standard deviation, so a slider moves in units of sigma.
// - Class directions (conditional models): from the mean w of all classes to the mean w of one class.
// - Attribute boundaries: the unit normal of a linear classifier (L2-regularised logistic regression)
//   separating w vectors by a label (e.g. diagnosis, age group, sex or body site of projected real images).
// A direction file belongs to one generator (its weight hash): another model's file is refused.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "model/snapshot.h"

namespace dermgan::explain {

struct LatentDirection {
    std::string name;        // "pc3", "class mel", "boundary sex=male"
    std::string kind;        // pca, class, boundary
    torch::Tensor vector;    // [wDim], unit length
    double stddev = 1.0;     // of w along the direction: slider unit
    double explainedVariance = 0;  // pca: fraction of total variance; boundary: training accuracy
    int firstLayer = 0, lastLayer = -1;  // default layer range (-1 = through the last)
};

struct DirectionSet {
    std::string modelHash;
    int wDim = 0;
    int numWs = 0;
    std::vector<LatentDirection> directions;
};

// `samples` seeded z (random classes for a conditional model) -> w -> PCA; the first `count` axes.
std::vector<LatentDirection> pcaDirections(const GeneratorModel& model, int count, int samples, std::uint64_t seed);
std::vector<LatentDirection> classDirections(const GeneratorModel& model, int samples, std::uint64_t seed);
// w [N, wDim] with binary labels (true/false): the logistic-regression normal, scaled to unit length.
LatentDirection linearBoundary(const torch::Tensor& w, const std::vector<bool>& labels, const std::string& name,
                               double l2 = 1e-3, int iterations = 500);

// Boundaries for one metadata attribute of projected real images: numeric values (age) are split at the
// median ("age>=60"), categorical ones (sex, body site, diagnosis) give one-vs-rest boundaries for every
// value held by at least `minCount` images and missed by at least as many. Empty values are left out.
std::vector<LatentDirection> attributeBoundaries(const torch::Tensor& w, const std::vector<std::string>& values,
                                                 const std::string& attribute, int minCount = 10);

// ws [numWs, wDim] (or [N, numWs, wDim]) moved by amount * stddev along the direction, only on layers
// [firstLayer, lastLayer] (lastLayer -1 = through the last).
torch::Tensor applyDirection(const torch::Tensor& ws, const LatentDirection& direction, double amount, int firstLayer = 0,
                             int lastLayer = -1);

void saveDirections(const DirectionSet& set, const std::filesystem::path& path);
// InputError for a missing or malformed file, or one made for another model (hash mismatch).
DirectionSet loadDirections(const std::filesystem::path& path, const std::string& expectedModelHash);

} // namespace dermgan::explain
