#include "metrics/memorisation_audit.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "common/errors.h"
#include "metrics/manifold_metrics.h"

namespace dermgan::metrics {

namespace {

// Nearest row of `reference` for each row of `queries`: {distances, indices}, block by block.
std::pair<std::vector<double>, std::vector<int64_t>> nearest(const torch::Tensor& queries, const torch::Tensor& reference)
{
    std::vector<double> distances;
    std::vector<int64_t> indices;
    constexpr int64_t block = 1024;
    for (int64_t start = 0; start < queries.size(0); start += block) {
        const auto d = pairwiseDistances(queries.narrow(0, start, std::min(block, queries.size(0) - start)), reference);
        const auto [values, rows] = d.min(1);
        const auto v = values.to(torch::kDouble).contiguous();
        const auto r = rows.contiguous();
        distances.insert(distances.end(), v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
        indices.insert(indices.end(), r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
    }
    return {distances, indices};
}

double quantileOf(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    const double position = q * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(position));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (position - static_cast<double>(lo));
}

} // namespace

AuditResult auditMemorisation(const torch::Tensor& synthetic, const torch::Tensor& train, const torch::Tensor& test,
                              double quantile)
{
    if (synthetic.size(0) == 0 || train.size(0) == 0 || test.size(0) < 2)
        throw InputError("the memorisation audit needs synthetic, training and at least 2 test feature vectors");
    if (!(quantile > 0 && quantile < 1))
        throw InputError("audit quantile must lie between 0 and 1");
    AuditResult audit;
    audit.quantile = quantile;
    const auto testToTrain = nearest(test, train).first;
    audit.medianTestDistance = quantileOf(testToTrain, 0.5);
    audit.threshold = quantileOf(testToTrain, quantile);
    auto [distances, rows] = nearest(synthetic, train);
    audit.distance = distances;
    audit.nearestTrain = rows;
    for (double d : distances) {
        audit.ratio.push_back(audit.medianTestDistance > 0 ? d / audit.medianTestDistance : 0.0);
        audit.nearCopy.push_back(d < audit.threshold);
        audit.nearCopies += d < audit.threshold;
    }
    audit.medianSyntheticDistance = quantileOf(distances, 0.5);
    return audit;
}

nlohmann::json summaryJson(const AuditResult& audit)
{
    const double n = static_cast<double>(audit.distance.size());
    return {{"synthetic_count", audit.distance.size()},
            {"median_synthetic_to_train_distance", audit.medianSyntheticDistance},
            {"median_test_to_train_distance", audit.medianTestDistance},
            {"median_ratio", audit.medianTestDistance > 0 ? audit.medianSyntheticDistance / audit.medianTestDistance : 0.0},
            {"flag_quantile", audit.quantile},
            {"flag_threshold", audit.threshold},
            {"near_copies", audit.nearCopies},
            {"near_copy_fraction", n > 0 ? static_cast<double>(audit.nearCopies) / n : 0.0},
            {"expected_fraction_if_like_new_real_images", audit.quantile}};
}

} // namespace dermgan::metrics
