#include "nets/latents.h"

#include <cmath>
#include <random>

#include <torch/torch.h>

namespace dermgan::nets {

std::vector<double> numpyRandn(std::uint32_t seed, int count)
{
    std::mt19937 engine(seed);  // std::mt19937(seed) is MT19937's init_genrand, as numpy's legacy seeding
    auto uniform = [&engine] {
        const std::uint32_t a = engine() >> 5, b = engine() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    };
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(count));
    bool hasSpare = false;
    double spare = 0.0;
    while (static_cast<int>(values.size()) < count) {
        if (hasSpare) {
            values.push_back(spare);
            hasSpare = false;
            continue;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * uniform() - 1.0;
            x2 = 2.0 * uniform() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        const double f = std::sqrt(-2.0 * std::log(r2) / r2);
        spare = f * x1;
        hasSpare = true;
        values.push_back(f * x2);
    }
    return values;
}

torch::Tensor latentsFromSeeds(const std::vector<std::uint32_t>& seeds, int zDim)
{
    auto z = torch::empty({static_cast<int64_t>(seeds.size()), zDim}, torch::kFloat32);
    auto accessor = z.accessor<float, 2>();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        const auto values = numpyRandn(seeds[i], zDim);
        for (int j = 0; j < zDim; ++j)
            accessor[static_cast<int64_t>(i)][j] = static_cast<float>(values[static_cast<std::size_t>(j)]);
    }
    return z;
}

} // namespace dermgan::nets
