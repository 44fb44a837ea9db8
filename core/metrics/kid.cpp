#include "metrics/kid.h"

#include <cmath>
#include <numeric>
#include <vector>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"

namespace dermgan::metrics {

double unbiasedMmd2(const torch::Tensor& x, const torch::Tensor& y)
{
    const int64_t m = x.size(0);
    const double d = static_cast<double>(x.size(1));
    // Kernel matrices in the features' precision (float32, as the reference computes them), sums in double:
    // the estimate is a small difference of large sums.
    const auto kernel = [d](const torch::Tensor& a, const torch::Tensor& b) { return (a.mm(b.t()) / d + 1.0).pow(3); };
    const auto sum = [](const torch::Tensor& t) { return t.sum(torch::kDouble).item<double>(); };
    const auto kxx = kernel(x, x), kyy = kernel(y, y), kxy = kernel(x, y);
    const double within = sum(kxx) - sum(kxx.diagonal()) + sum(kyy) - sum(kyy.diagonal());
    return within / (static_cast<double>(m) * (m - 1)) - 2.0 * sum(kxy) / (static_cast<double>(m) * m);
}

KernelDistance kernelDistance(const torch::Tensor& real, const torch::Tensor& generated,
                              const KernelDistanceOptions& options)
{
    if (real.size(1) != generated.size(1))
        throw InputError("feature sets differ in dimension: " + std::to_string(real.size(1)) + " vs " +
                         std::to_string(generated.size(1)));
    const int64_t m = std::min({real.size(0), generated.size(0), options.maxSubsetSize});
    if (m < 2)
        throw InputError("a kernel distance needs at least 2 feature vectors in each set");
    const auto x = generated.to(torch::kFloat32), y = real.to(torch::kFloat32);
    Rng rng(options.seed);
    // A random subset of m distinct rows: the first m of a seeded shuffle.
    const auto subset = [&](const torch::Tensor& t) {
        std::vector<int64_t> rows(static_cast<std::size_t>(t.size(0)));
        std::iota(rows.begin(), rows.end(), 0);
        shuffleInPlace(rows, rng);
        rows.resize(static_cast<std::size_t>(m));
        return t.index_select(0, torch::tensor(rows));
    };
    std::vector<double> values;
    for (int s = 0; s < std::max(1, options.subsets); ++s)
        values.push_back(unbiasedMmd2(subset(x), subset(y)));
    KernelDistance result;
    result.subsetSize = m;
    result.mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
    double sq = 0;
    for (double v : values)
        sq += (v - result.mean) * (v - result.mean);
    result.stddev = values.size() > 1 ? std::sqrt(sq / (values.size() - 1)) : 0.0;
    return result;
}

} // namespace dermgan::metrics
