#pragma once
// All distribution metrics of one generated feature set against one real feature set, named after the
// embedding they were computed in ("fid_derm", "kid_inception", ...): a number computed with the bundled
// dermatology network is not comparable to a published FID, and the name must never suggest it is.
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "metrics/kid.h"
#include "metrics/manifold_metrics.h"

namespace dermgan::metrics {

// The features metrics of the catalogue (metric_catalogue.h) computed when none are named.
std::set<std::string> defaultFeatureMetrics();
// Whether `name` has a computation here (every features metric of the catalogue must: test_metrics checks).
bool hasFeatureComputation(const std::string& name);

struct DistributionOptions {
    std::set<std::string> metrics = defaultFeatureMetrics();  // names of features metrics of the catalogue
    int kPrecisionRecall = 3;
    int kDensityCoverage = 5;
    KernelDistanceOptions kid;
};

struct DistributionMetrics {
    std::string extractor;  // "derm", "inception", ...
    int64_t realCount = 0, generatedCount = 0;
    std::set<std::string> computed;
    double fid = 0;
    // False when a set has no more images than feature dimensions: its covariance is then rank-deficient
    // and FID mostly measures the sample size (per-class FID of rare diagnoses, typically).
    bool fidReliable = true;
    KernelDistance kid;
    PrecisionRecall pr;
    DensityCoverage dc;
};

// Throws InputError for a name that is not a features metric of the catalogue, or sets too small for a
// requested metric.
DistributionMetrics compareFeatures(const torch::Tensor& real, const torch::Tensor& generated, const std::string& extractor,
                                    const DistributionOptions& options = {});

// {"fid_derm": ..., "kid_derm": ..., "kid_derm_std": ..., "precision_derm": ..., ...}
nlohmann::json toJson(const DistributionMetrics& metrics);
// "FID-derm 12.3  KID-derm 0.0123 ± 0.0004  precision 0.71  recall 0.42  density 0.93  coverage 0.77"
std::string toText(const DistributionMetrics& metrics);

} // namespace dermgan::metrics
