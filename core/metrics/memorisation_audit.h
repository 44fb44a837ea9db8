#pragma once
// Does the generator copy its training images? For each synthetic image, its nearest real training image
// in feature space; for comparison, how near genuinely new real images (the held-out test split) come to
// the training set. A synthetic image closer to a training image than almost every new real image is
// (below the `quantile` of test-to-train nearest distances) is flagged as a possible near-copy: look at it.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace dermgan::metrics {

struct AuditResult {
    std::vector<int64_t> nearestTrain;  // per synthetic image: row of the nearest training image
    std::vector<double> distance;       // its feature distance
    std::vector<double> ratio;          // distance / median test-to-train nearest distance
    std::vector<bool> nearCopy;
    double threshold = 0;               // the test-to-train distance quantile used for flagging
    double medianTestDistance = 0;
    double medianSyntheticDistance = 0;
    double quantile = 0.01;
    int64_t nearCopies = 0;
};

AuditResult auditMemorisation(const torch::Tensor& synthetic, const torch::Tensor& train, const torch::Tensor& test,
                              double quantile = 0.01);

nlohmann::json summaryJson(const AuditResult& audit);

} // namespace dermgan::metrics
