#include "explain/map_placement.h"

#include <algorithm>
#include <string>

#include <torch/torch.h>

#include "common/errors.h"
#include "explain/umap.h"

namespace dermgan::explain {

MapPlacement placeOnMap(const torch::Tensor& vectors, const torch::Tensor& xy, const torch::Tensor& queries, int neighbours)
{
    if (vectors.dim() != 2 || xy.dim() != 2 || xy.size(1) != 2 || xy.size(0) != vectors.size(0))
        throw InputError("a map to place points on needs vectors [N, D] and positions [N, 2] of the same N");
    if (queries.dim() != 2 || queries.size(1) != vectors.size(1))
        throw InputError("points to place have " + std::to_string(queries.dim() == 2 ? queries.size(1) : 0) +
                         " dimensions; the map's vectors have " + std::to_string(vectors.size(1)));
    if (neighbours < 2 || vectors.size(0) < 2)
        throw InputError("placing a point on a map needs at least 2 neighbours and 2 map points");
    const int64_t k = std::min<int64_t>(neighbours - 1, vectors.size(0));  // a small map: all its points
    torch::NoGradGuard noGrad;
    const auto data = vectors.to(torch::kFloat32);
    const auto query = queries.to(torch::kFloat32);
    // L2 [M, N] computed directly (compute mode 2): the matrix-product form leaves ~1e-3 where two vectors
    // are equal, and an exact match must be seen as one.
    const auto all = torch::cdist(query, data, 2.0, 2);
    const auto [distances, nearest] = all.topk(k, 1, /*largest=*/false, /*sorted=*/true);
    const auto d = distances.contiguous();
    auto weights = torch::tensor(umapMemberships(d, static_cast<int>(k) + 1)).view({query.size(0), k});
    // A query on top of a map point (distance 0) takes that point's place, as a fitted map would keep it.
    const auto exact = d.select(1, 0) == 0;
    weights = torch::where(exact.unsqueeze(1), torch::zeros_like(weights).index_fill_(1, torch::tensor({0L}), 1.0), weights);
    const auto positions = xy.to(torch::kFloat32).index_select(0, nearest.reshape(-1)).view({query.size(0), k, 2});
    const auto placed = (positions * weights.unsqueeze(2)).sum(1) / weights.sum(1, true);
    return {placed, nearest, d};
}

} // namespace dermgan::explain
