#pragma once
// The binary ROC-AUCs a dermatologist reads off a multi-class lesion classifier, each with a 95% stratified
// bootstrap interval: melanoma vs every other diagnosis, and melanoma vs nevus (the hard clinical pair; the
// score is P(mel) / (P(mel) + P(nv)), restricted to images labelled mel or nv). A pair whose classes are
// absent from the model or from the labels is left out.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "metrics/bootstrap.h"

namespace dermgan::metrics {

struct BinaryAuc {
    std::string name;                  // "mel_vs_rest", "mel_vs_nv"
    int64_t positives = 0, negatives = 0;
    double auc = 0;
    Interval interval;                 // 95%, stratified bootstrap over images
};

// `probabilities` [N, C] (softmax), `labels` in 0..C-1, `classNames` the C names of the model's outputs.
std::vector<BinaryAuc> melanomaAucs(const torch::Tensor& probabilities, const std::vector<int>& labels,
                                    const std::vector<std::string>& classNames, int resamples = 1000,
                                    std::uint64_t seed = 0);

// {"mel_vs_rest": {"auc", "ci": [low, high], "positives", "negatives"}, ...}
nlohmann::json toJson(const std::vector<BinaryAuc>& aucs);
// "ROC-AUC mel_vs_rest 0.851 [0.820, 0.880] (171 vs 1342)" one line each.
std::string toText(const std::vector<BinaryAuc>& aucs);

} // namespace dermgan::metrics
