#pragma once
// Kernel distance: the unbiased estimate of the squared MMD between two feature sets under the cubic
// polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets (Bińkowski et al. 2018; the
// same estimator and defaults as the StyleGAN2-ADA metrics code). With Inception features this is KID.
#include <cstdint>

#include <torch/types.h>

namespace dermgan::metrics {

struct KernelDistanceOptions {
    int subsets = 100;
    int64_t maxSubsetSize = 1000;
    std::uint64_t seed = 0;
};

struct KernelDistance {
    double mean = 0;    // averaged over subsets
    double stddev = 0;  // spread of the per-subset estimates
    int64_t subsetSize = 0;
};

KernelDistance kernelDistance(const torch::Tensor& real, const torch::Tensor& generated,
                              const KernelDistanceOptions& options = {});

// The unbiased MMD^2 of two equally sized sets (one subset of the above).
double unbiasedMmd2(const torch::Tensor& x, const torch::Tensor& y);

} // namespace dermgan::metrics
