#include "explain/map_placement.h"

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
    const int64_t k = neighbours - 1;
    if (k < 1 || vectors.size(0) < k)
        throw InputError("placing a point on a map needs at least " + std::to_string(k) + " map points");
    torch::NoGradGuard noGrad;
    const auto data = vectors.to(torch::kFloat32);
    const auto query = queries.to(torch::kFloat32);
    const auto all = torch::cdist(query, data);  // [M, N], L2
    const auto [distances, nearest] = all.topk(k, 1, /*largest=*/false, /*sorted=*/true);
    const auto d = distances.contiguous();
    auto weights = torch::tensor(umapMemberships(d, neighbours)).view({query.size(0), k});
    // A query on top of a map point (distance 0) takes that point's place, as a fitted map would keep it.
    const auto exact = d.select(1, 0) == 0;
    weights = torch::where(exact.unsqueeze(1), torch::zeros_like(weights).index_fill_(1, torch::tensor({0L}), 1.0), weights);
    const auto positions = xy.to(torch::kFloat32).index_select(0, nearest.reshape(-1)).view({query.size(0), k, 2});
    const auto placed = (positions * weights.unsqueeze(2)).sum(1) / weights.sum(1, true);
    return {placed, nearest, d};
}

} // namespace dermgan::explain
