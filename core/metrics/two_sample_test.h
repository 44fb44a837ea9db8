#pragma once
// The classifier two-sample test (C2ST; Lopez-Paz & Oquab, "Revisiting Classifier Two-Sample Tests",
// ICLR 2017) of synthetic against real images: a small CNN learns to tell the two sets apart on one half of
// each, and its accuracy and ROC-AUC on the other, held-out halves say how distinguishable they are.
// 0.5 = this classifier cannot tell them apart; 1.0 = it always can. Unlike FID-derm it reads pixels, not
// the derm network's features, so it also sees textures and borders that network ignores.
#include <cstdint>
#include <string>
#include <vector>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "common/progress.h"
#include "metrics/bootstrap.h"

namespace dermgan::metrics {

struct TwoSampleTestOptions {
    int epochs = 12;
    int batch = 64;
    double learningRate = 2e-3;
    std::vector<int> widths{16, 32, 64, 128};  // LesionClassifier stages: ~0.3M parameters
    int maxResolution = 128;                     // larger images are area-resized to this
    int resamples = 1000;                        // bootstrap resamples of the held-out halves
    std::uint64_t seed = 0;
    c10::Device device = c10::kCPU;
};

struct TwoSampleTest {
    int64_t trainPerSet = 0, valPerSet = 0, testPerSet = 0;  // images of each set in each part
    int resolution = 0;                                      // what the classifier saw
    int bestEpoch = 0;                                       // chosen on the validation part
    double accuracy = 0;                                     // held-out halves, threshold 0.5
    Interval accuracyInterval;                               // 95% stratified bootstrap
    double auc = 0;                                          // P(synthetic) as the score
    Interval aucInterval;
    double seconds = 0;
};

// `real`, `synthetic`: uint8 [N, 3, R, R] of one resolution R. Both sets are cut to the smaller size n
// (seeded draw), then split alike: the first half for training (a fifth of it for choosing the epoch), the
// other half held out. Training uses the lesion classifier's recipe (flips, quarter turns, small shifts,
// mild colour jitter), so the test ignores differences that recipe removes. Deterministic for a seed on a
// given machine and thread count. Throws InputError when a set has fewer than 20 images or the shapes
// differ; CancelledError when `progress` asks to stop.
TwoSampleTest classifierTwoSampleTest(const torch::Tensor& real, const torch::Tensor& synthetic,
                                      const TwoSampleTestOptions& options = {}, const ProgressCallback& progress = {});

// {"c2st_accuracy", "c2st_accuracy_ci": [low, high], "c2st_auc", "c2st_auc_ci", "c2st_test_per_set", ...}
nlohmann::json toJson(const TwoSampleTest& test);
// "C2ST accuracy 0.712 [0.690, 0.733]  AUC 0.781 [0.760, 0.801] (757 + 757 held out; 0.5 = indistinguishable)"
std::string toText(const TwoSampleTest& test);

} // namespace dermgan::metrics
