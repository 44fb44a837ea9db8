#pragma once
// 2-D maps of feature vectors (real, synthetic and projected images) or of w vectors, and how faithful a
// map is. PCA: the top two principal axes. t-SNE: Barnes-Hut t-SNE (van der Maaten 2014) with input
// similarities on the 3 x perplexity nearest neighbours (exact, or hnswlib for large N), PCA initialisation, early exaggeration,
// momentum and per-coordinate gains: deterministic for a seed. Trustworthiness (Venna & Kaski 2001):
// 1 = no false neighbours in the map.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"

namespace dermgan::explain {

// [N, D] -> [N, 2]: projections on the two leading principal axes.
torch::Tensor pcaEmbedding(const torch::Tensor& x);

struct TsneOptions {
    double perplexity = 30;
    int iterations = 1000;
    int exaggerationIterations = 250;
    double exaggeration = 12;
    double learningRate = 0;  // 0 = max(N / exaggeration / 4, 50), as scikit-learn's "auto"
    double theta = 0.5;       // Barnes-Hut accuracy: 0 is exact, larger is faster
    std::uint64_t seed = 0;
};
torch::Tensor tsneEmbedding(const torch::Tensor& x, const TsneOptions& options = {}, const ProgressCallback& progress = {});

// k nearest neighbours of every row (itself excluded), L2: {indices, distances} as [N, k] tensors (int64,
// float), nearest first. Exact up to kExactNeighbourLimit rows, approximate (hnswlib) above.
constexpr int64_t kExactNeighbourLimit = 20000;
std::pair<torch::Tensor, torch::Tensor> knnGraph(const torch::Tensor& x, int k, std::uint64_t seed = 0);

// Exact trustworthiness of `embedding` [N, 2] for data `x` [N, D] at k neighbours.
double trustworthiness(const torch::Tensor& x, const torch::Tensor& embedding, int k = 10);
// The share of each point's k nearest neighbours in `x` that are also among its k nearest in the map.
double knnPreservation(const torch::Tensor& x, const torch::Tensor& embedding, int k = 10);

// A map's quality readouts, or why they are missing: trustworthiness at k needs N >= 2k + 2 points and
// k-NN preservation N >= k + 2, so a small map is kept and only its readouts are left out.
struct MapQuality {
    std::int64_t points = 0;
    int k = 10;
    std::optional<double> trustworthiness, knnPreserved;
    std::string note;  // empty, or e.g. "trustworthiness (k = 10) not computed: 21 points, it needs 22"
};
MapQuality measureMapQuality(const torch::Tensor& x, const torch::Tensor& embedding, int k = 10);

} // namespace dermgan::explain
