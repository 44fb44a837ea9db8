#include "metrics/manifold_metrics.h"

#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::metrics {

namespace {

constexpr int64_t kBlockRows = 1024;

void requireSets(const torch::Tensor& real, const torch::Tensor& generated, int k)
{
    if (real.dim() != 2 || generated.dim() != 2 || real.size(1) != generated.size(1))
        throw InputError("feature sets must be [N, D] matrices of the same dimension");
    if (k < 1 || real.size(0) <= k || generated.size(0) <= k)
        throw InputError("k-NN manifold metrics with k = " + std::to_string(k) + " need more than " +
                         std::to_string(k) + " samples in each set; got " + std::to_string(real.size(0)) + " real and " +
                         std::to_string(generated.size(0)) + " generated");
}

// Calls visit(firstRow, squared distances [rows, b.rows]) for blocks of a's rows. Everything below compares
// squared distances with squared radii: the same order, one pass over the N x N distances fewer.
template <typename Visit>
void forDistanceBlocks(const torch::Tensor& a, const torch::Tensor& b, Visit visit)
{
    const auto bNorms = b.square().sum(1);
    for (int64_t start = 0; start < a.size(0); start += kBlockRows) {
        const auto block = a.narrow(0, start, std::min(kBlockRows, a.size(0) - start));
        auto squared = torch::addmm(bNorms.unsqueeze(0), block, b.t(), 1.0, -2.0).add_(block.square().sum(1, true));
        visit(start, squared.clamp_min_(0.0));
    }
}

// Squared distance from each row to its k-th nearest other row.
torch::Tensor kthNeighbourSquaredRadii(const torch::Tensor& x, int k)
{
    auto radii = torch::empty({x.size(0)}, torch::kFloat32);
    forDistanceBlocks(x, x, [&](int64_t start, const torch::Tensor& d) {
        // The k+1-th smallest: the smallest is the row itself (0).
        radii.narrow(0, start, d.size(0)).copy_(std::get<0>(d.topk(k + 1, 1, false)).select(1, k));
    });
    return radii;
}

// Counts, for each row of `queries`, the rows i of `centres` with squared distance <= radii[i] (closed balls,
// as the StyleGAN2-ADA precision/recall code) or < radii[i] (open balls, as the density/coverage authors' code).
torch::Tensor ballMembership(const torch::Tensor& queries, const torch::Tensor& centres, const torch::Tensor& radii,
                             bool closed)
{
    auto counts = torch::zeros({queries.size(0)}, torch::kLong);
    const auto r = radii.unsqueeze(0);
    forDistanceBlocks(queries, centres, [&](int64_t start, const torch::Tensor& d) {
        counts.narrow(0, start, d.size(0)).copy_((closed ? d <= r : d < r).sum(1));
    });
    return counts;
}

} // namespace

torch::Tensor pairwiseDistances(const torch::Tensor& a, const torch::Tensor& b)
{
    auto out = torch::empty({a.size(0), b.size(0)}, torch::kFloat32);
    forDistanceBlocks(a.to(torch::kFloat32), b.to(torch::kFloat32),
                      [&](int64_t start, const torch::Tensor& d) { out.narrow(0, start, d.size(0)).copy_(d.sqrt()); });
    return out;
}

PrecisionRecall precisionRecall(const torch::Tensor& real, const torch::Tensor& generated, int k)
{
    requireSets(real, generated, k);
    const auto r = real.to(torch::kFloat32), g = generated.to(torch::kFloat32);
    PrecisionRecall result;
    result.k = k;
    result.precision = (ballMembership(g, r, kthNeighbourSquaredRadii(r, k), true) > 0).to(torch::kDouble).mean().item<double>();
    result.recall = (ballMembership(r, g, kthNeighbourSquaredRadii(g, k), true) > 0).to(torch::kDouble).mean().item<double>();
    return result;
}

DensityCoverage densityCoverage(const torch::Tensor& real, const torch::Tensor& generated, int k)
{
    requireSets(real, generated, k);
    const auto r = real.to(torch::kFloat32), g = generated.to(torch::kFloat32);
    const auto radii = kthNeighbourSquaredRadii(r, k);
    DensityCoverage result;
    result.k = k;
    result.density = ballMembership(g, r, radii, false).sum().item<double>() / (static_cast<double>(k) * g.size(0));
    // A real ball is covered when its nearest generated sample lies inside it.
    auto nearest = torch::empty({r.size(0)}, torch::kFloat32);
    forDistanceBlocks(r, g, [&](int64_t start, const torch::Tensor& d) {
        nearest.narrow(0, start, d.size(0)).copy_(std::get<0>(d.min(1)));
    });
    result.coverage = (nearest < radii).to(torch::kDouble).mean().item<double>();
    return result;
}

} // namespace dermgan::metrics
