#include "common/random.h"

#include <cmath>
#include <stdexcept>

namespace dermgan {

std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t stream)
{
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double uniform01(Rng& rng)
{
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

std::uint64_t uniformBelow(Rng& rng, std::uint64_t n)
{
    if (n == 0)
        throw std::invalid_argument("uniformBelow: n must be positive");
    // Reject the top partial bucket so every residue is equally likely.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    std::uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % n;
}

double standardNormal(Rng& rng)
{
    double u1;
    do {
        u1 = uniform01(rng);
    } while (u1 <= 0.0);
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double gammaSample(Rng& rng, double shape)
{
    if (!(shape > 0.0))
        throw std::invalid_argument("gammaSample: shape must be positive");
    if (shape < 1.0) {
        // Gamma(a) = Gamma(a + 1) * U^(1/a).
        double u;
        do {
            u = uniform01(rng);
        } while (u <= 0.0);
        return gammaSample(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = standardNormal(rng);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = uniform01(rng);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v;
        if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v)))
            return d * v;
    }
}

std::vector<double> dirichletSample(Rng& rng, const std::vector<double>& alpha)
{
    std::vector<double> sample(alpha.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < alpha.size(); ++i) {
        sample[i] = gammaSample(rng, alpha[i]);
        sum += sample[i];
    }
    for (double& s : sample)
        s = sum > 0.0 ? s / sum : 1.0 / static_cast<double>(alpha.size());
    return sample;
}

} // namespace dermgan
