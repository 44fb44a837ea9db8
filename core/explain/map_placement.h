#pragma once
// New points on a map that is already drawn, without refitting it (so nothing the user has looked at
// moves): the image just projected, placed among the real and synthetic images of the Map tab.
#include <torch/types.h>

namespace dermgan::explain {

struct MapPlacement {
    torch::Tensor xy;         // float [M, 2]: where each query goes on the map
    torch::Tensor nearest;    // int64 [M, K]: the map rows nearest each query, nearest first
    torch::Tensor distances;  // float [M, K]: their L2 distances in the mapped space
};

// queries [M, D] placed on a map of `vectors` [N, D] drawn at `xy` [N, 2]: each at the average position of its
// K = neighbours - 1 nearest map points (L2, the metric the map's k-NN graph used), weighted by UMAP's
// membership strengths (umapMemberships), as umap-learn's transform() initialises new points
// (umap_.py, init_graph_transform). umap-learn then optimises them further against the fixed map; that step is
// left out, so a point lands inside the hull of its neighbours. The same rule serves t-SNE and PCA maps.
// A map of fewer points uses all of them. A query equal to a map vector lands on that point. InputError for
// mismatched shapes, fewer than 2 map points or neighbours < 2.
MapPlacement placeOnMap(const torch::Tensor& vectors, const torch::Tensor& xy, const torch::Tensor& queries, int neighbours = 15);

} // namespace dermgan::explain
