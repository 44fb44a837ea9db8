#pragma once
// UMAP (McInnes, Healy & Melville 2018): a 2-D map that keeps each point's fuzzy k-nearest-neighbour
// graph. Steps as umap-learn: k-NN (hnswlib), per-point rho (distance to the nearest neighbour) and sigma
// (so that the memberships sum to log2 k), fuzzy union of the directed graph, then SGD on the cross
// entropy with edges sampled in proportion to their weight and negative sampling. Differences from
// umap-learn, chosen for reproducibility: PCA initialisation instead of the spectral one (umap-learn's
// init="pca"), and single-threaded SGD so that a seed gives the same map on every machine.
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"

namespace dermgan::explain {

struct UmapOptions {
    int neighbours = 15;       // k, the point itself included (as umap-learn's n_neighbors)
    double minDistance = 0.1;  // how tightly points may pack in the map
    double spread = 1.0;
    int epochs = 0;            // 0 = 500 for up to 10,000 points, else 200 (as umap-learn)
    int negativeSamples = 5;   // per positive sample
    double learningRate = 1.0;
    std::uint64_t seed = 0;
};

// The curve 1 / (1 + a d^(2b)) fitted to the target membership of minDistance / spread: {a, b}.
std::pair<double, double> umapCurve(double minDistance, double spread);

// UMAP's membership strengths of each row's neighbours (umap-learn's smooth_knn_dist): distances [N, k - 1]
// (L2, nearest first, the point itself left out) -> exp(-(d - rho) / sigma), rho being the nearest non-zero
// distance and sigma chosen so that a row's memberships sum to log2 k; row-major [N * (k - 1)].
std::vector<float> umapMemberships(const torch::Tensor& distances, int k);

// [N, D] -> [N, 2]. Throws InputError for fewer than neighbours + 1 rows, CancelledError on cancel.
torch::Tensor umapEmbedding(const torch::Tensor& x, const UmapOptions& options = {}, const ProgressCallback& progress = {});

} // namespace dermgan::explain
