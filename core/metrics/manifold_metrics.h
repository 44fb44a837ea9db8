#pragma once
// Metrics that estimate each set's support by k-nearest-neighbour balls around its samples:
// - precision / recall (Kynkäänniemi et al. 2019, k = 3): the share of generated samples inside the real
//   manifold, and of real samples inside the generated one; fidelity and diversity, separately.
// - density / coverage (Naeem et al. 2020, k = 5): density counts how many real balls hold each generated
//   sample (robust to real outliers; 1 = as dense as the real data, can exceed 1); coverage is the share of
//   real balls that hold at least one generated sample.
// Distances are exact Euclidean distances in float32, computed block by block (no N x N matrix is kept).
#include <cstdint>

#include <torch/types.h>

namespace dermgan::metrics {

struct PrecisionRecall {
    double precision = 0;
    double recall = 0;
    int k = 3;
};

struct DensityCoverage {
    double density = 0;
    double coverage = 0;
    int k = 5;
};

PrecisionRecall precisionRecall(const torch::Tensor& real, const torch::Tensor& generated, int k = 3);
DensityCoverage densityCoverage(const torch::Tensor& real, const torch::Tensor& generated, int k = 5);

// Row-block pairwise Euclidean distances [a.rows, b.rows] (exposed for the nearest-neighbour audit).
torch::Tensor pairwiseDistances(const torch::Tensor& a, const torch::Tensor& b);

} // namespace dermgan::metrics
