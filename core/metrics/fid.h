#pragma once
// Fréchet distance between two feature sets, each summarised by a Gaussian (mean, covariance):
//   |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^1/2).
// With Inception-v3 pool features this is FID; with the bundled dermatology network it is "FID-derm",
// which is not comparable to published FID numbers (different embedding). Reports always say which.
#include <torch/types.h>

namespace dermgan::metrics {

struct GaussianStats {
    torch::Tensor mean;        // double [D]
    torch::Tensor covariance;  // double [D, D], unbiased (N - 1), as numpy.cov
    int64_t count = 0;
};

// Throws InputError when fewer than 2 rows.
GaussianStats gaussianStats(const torch::Tensor& features);

// tr((S1 S2)^1/2) is computed as the sum of square roots of the eigenvalues of S1^1/2 S2 S1^1/2, a symmetric
// positive semi-definite matrix with the same eigenvalues as S1 S2: exact, no complex round-off to discard.
double frechetDistance(const GaussianStats& a, const GaussianStats& b);

} // namespace dermgan::metrics
