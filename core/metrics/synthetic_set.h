#pragma once
// Sets of synthetic images for the metrics and the classifier studies. Image i of a set is generated from
// seed firstSeed + i (numpy-compatible z, as `dermgan generate --seeds`), so any image in a report can be
// re-made on its own with the command line printed beside it.
#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "model/snapshot.h"
#include "metrics/classifier_training.h"
#include "nets/generator.h"

namespace dermgan::metrics {

struct SyntheticRequest {
    std::vector<int64_t> perClass;  // images per class (conditional), or one entry: the count (unconditional)
    double psi = 1.0;
    nets::NoiseMode noise = nets::NoiseMode::Const;
    std::uint64_t firstSeed = 0;
    int batch = 64;
};

// Splits `total` over classes in proportion to `weights` (largest remainder; exact total).
std::vector<int64_t> apportion(int64_t total, const std::vector<double>& weights);

// "real": the class frequencies of `realCounts`; "balanced": equal counts. For a conditional generator.
std::vector<int64_t> syntheticClassCounts(int64_t total, const std::vector<int64_t>& realCounts, const std::string& mode);

// How many synthetic images of each class stand beside a real set with `realLabels`: `total` images in
// the real set's class frequencies ("real") or equal counts ("balanced"); {total} for an unconditional
// generator.
std::vector<int64_t> syntheticCountsLike(const nets::NetworkConfig& network, const std::vector<int>& realLabels,
                                         int64_t total, const std::string& mode);

// uint8 images [N, 3, R, R] and their class labels (-1 for an unconditional generator), class by class.
LabelledPixels generateSynthetic(GeneratorModel& model, const SyntheticRequest& request,
                                 const ProgressCallback& progress = {});

// A short text identifying a request for a model: the feature cache key and the report's provenance.
std::string describeRequest(const GeneratorModel& model, const SyntheticRequest& request);

} // namespace dermgan::metrics
