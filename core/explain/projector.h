#pragma once
// Finds the latent of a real image: the W (one vector for every layer) or W+ (one per layer) that makes
// the generator reproduce it, optionally with the per-layer noise maps. The algorithm follows the
// StyleGAN2 projector (Karras et al. 2020): start at the (class) mean w, Adam with a learning-rate ramp,
// decaying noise added to w early on, noise maps optimised under an autocorrelation penalty and
// renormalised every step. Loss: the perceptual distance plus a weighted pixel MSE.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/types.h>

#include "explain/image_distances.h"
#include "explain/perceptual_distance.h"
#include "model/snapshot.h"
#include "metrics/feature_extractor.h"

namespace dermgan::explain {

enum class LatentSpace { W, WPlus };

struct ProjectionOptions {
    LatentSpace space = LatentSpace::W;
    int steps = 300;
    double learningRate = 0.1;
    double initialNoiseFactor = 0.05;
    double noiseRampLength = 0.75;
    double lrRampDownLength = 0.25;
    double lrRampUpLength = 0.05;
    bool optimizeNoise = true;
    double noiseRegularization = 1e5;
    double pixelWeight = 1.0;   // weight of the pixel MSE (on [-1, 1]) beside the perceptual distance
    int classIndex = -1;        // conditional models: the class of the image (required)
    int wAvgSamples = 10000;
    std::uint64_t seed = 0;
};

// One step's numbers. loss = perceptual + pixelWeight * pixel + noisePenalty. The noise-map penalty (the
// reference projector's regularize_noise_weight * autocorrelation, weight 1e5) spikes by one or two orders of
// magnitude now and then: an Adam step gives the noise maps spatial structure and the penalty pulls it back
// within a few steps; the image distances keep falling meanwhile, so plots show them apart.
struct ProjectionStep {
    int step = 0;
    double loss = 0, perceptual = 0, pixel = 0, noisePenalty = 0;
};

struct ProjectionResult {
    torch::Tensor target;       // float [3, R, R] in [-1, 1]
    torch::Tensor projection;   // float [3, R, R] in [-1, 1], rendered with the optimised noise
    torch::Tensor ws;           // [numWs, wDim] (identical rows in W mode)
    std::vector<torch::Tensor> noise;  // optimised noise maps, one per synthesis layer (empty if not optimised)
    std::vector<ProjectionStep> curve;
    int classIndex = -1;
    bool cancelled = false;
};

// Called after every step with the step's numbers and the current image [3, R, R] (rendered every
// `imageEvery` steps and at the last one; undefined otherwise); return false to stop (the result so far is
// returned, marked cancelled).
using ProjectionCallback = std::function<bool(const ProjectionStep&, const torch::Tensor& image)>;

// `target`: uint8 [3, R, R] at the generator's resolution (see prepareTarget). InputError for a wrong
// size, or a class on an unconditional model / none on a conditional one.
ProjectionResult project(const GeneratorModel& model, const torch::Tensor& target, PerceptualDistance& distance,
                         const ProjectionOptions& options, const ProjectionCallback& callback = {},
                         int imageEvery = 0);

// `samples` w vectors [N, wDim] of the mapping network for seeded z and one class (or unconditional),
// and their mean.
torch::Tensor sampleW(const GeneratorModel& model, int classIndex, int samples, std::uint64_t seed);
torch::Tensor meanW(const GeneratorModel& model, int classIndex, int samples, std::uint64_t seed);

// Makes any decoded 8-bit RGB image a generator target [3, R, R] uint8: centre-crop to a square and resize
// to `resolution`. Sets `note` when it had to crop or resize (for the user, not an error).
torch::Tensor prepareTarget(const cv::Mat& rgb, int resolution, std::string& note);

// The readouts of one projection; the feature cosine distance needs `features` (nullptr: left at 0).
ImageDistances measureProjection(const ProjectionResult& result, PerceptualDistance& distance,
                                 metrics::FeatureExtractor* features);

nlohmann::json toJson(const ProjectionResult& result);

// A projection's latents as `dermgan project` saves them (<stem>-ws.npy): [numWs, wDim] for W+, or one row
// per layer that are all equal for W. Returns [rows, wDim] float32; InputError naming the file when it is
// empty, a scalar, or not rows of this model's wDim.
torch::Tensor readProjectionWs(const std::filesystem::path& file, const nets::NetworkConfig& network);

} // namespace dermgan::explain
