#pragma once
// Trains the LesionClassifier: class-weighted cross-entropy (weights n / (C n_k), so each class counts as
// much as any other despite HAM10000's 58:1 imbalance), AdamW with a cosine schedule, dermoscopy-safe
// augmentation (flips, 90-degree rotations, small shifts, mild colour jitter; optionally the acquisition shifts
// of data/acquisition_shifts.h), and model selection on the
// validation split's balanced accuracy. Deterministic for a seed on a given machine and thread count.
#include <cstdint>
#include <functional>
#include <vector>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "common/progress.h"
#include "common/random.h"
#include "data/labelled_pixels.h"
#include "nets/lesion_classifier.h"

namespace dermgan::metrics {

struct ClassifierTrainingOptions {
    int epochs = 30;
    int batch = 64;
    double learningRate = 2e-3;
    double weightDecay = 0.05;
    bool classWeighted = true;
    bool augment = true;
    // Also the random acquisition shifts of data/acquisition_shifts.h (zoom-out with vignette, hairs, colour
    // temperature, exposure, lower resolution, JPEG), so that the network holds up on other sources.
    bool acquisitionShifts = false;
    std::uint64_t seed = 0;
    c10::Device device = c10::kCPU;
};

struct EpochStats {
    int epoch = 0;
    double trainLoss = 0;
    double valAccuracy = 0;
    double valBalancedAccuracy = 0;
    double seconds = 0;
};

struct TrainedClassifier {
    nets::LesionClassifier model{nullptr};  // the weights of the best validation epoch, eval mode
    int bestEpoch = 0;
    std::vector<EpochStats> history;
    double seconds = 0;
};

// `onEpoch` may return false to stop early (the best weights so far are kept); `progress` reports batches
// and may cancel (CancelledError). Throws InputError for empty sets or labels outside the classes.
TrainedClassifier trainClassifier(const nets::ClassifierConfig& config, const LabelledPixels& train,
                                  const LabelledPixels& val, const ClassifierTrainingOptions& options,
                                  const std::function<bool(const EpochStats&)>& onEpoch = {},
                                  const ProgressCallback& progress = {});

// Softmax probabilities [N, C] in eval mode, batch by batch, for uint8 images of any resolution.
torch::Tensor predictProbabilities(nets::LesionClassifier& model, const torch::Tensor& pixels, int batch = 256);

// The augmentation used in training, on float images [N, 3, R, R] in [-1, 1] (exposed for tests): a shift,
// then with `acquisitionShifts` the random acquisition shifts, then flips, quarter turns, mild colour jitter.
torch::Tensor augmentLesions(const torch::Tensor& images, Rng& rng, bool acquisitionShifts = false);

} // namespace dermgan::metrics
