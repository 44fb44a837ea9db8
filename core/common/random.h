#pragma once
// Seeded randomness that gives the same numbers on every machine and standard library. std::mt19937_64's
// output is fixed by the C++ standard, but std::uniform_int_distribution, std::shuffle and
// std::gamma_distribution are not, so splits and partitions use only the helpers below.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace dermgan {

using Rng = std::mt19937_64;

// Derives independent streams from one user seed (SplitMix64 finaliser), e.g. one for the train/val/test
// split and one for the institution partition, so changing one does not shift the other.
std::uint64_t deriveSeed(std::uint64_t seed, std::uint64_t stream);

// Uniform in [0, 1) with 53 random bits.
double uniform01(Rng& rng);

// Uniform integer in [0, n), unbiased (rejection sampling). n must be > 0.
std::uint64_t uniformBelow(Rng& rng, std::uint64_t n);

// Standard normal (Box-Muller on uniform01).
double standardNormal(Rng& rng);

// Gamma(shape, 1) by Marsaglia & Tsang, with the shape < 1 boost.
double gammaSample(Rng& rng, double shape);

// Dirichlet with the given concentration parameters (all > 0).
std::vector<double> dirichletSample(Rng& rng, const std::vector<double>& alpha);

// Fisher-Yates shuffle.
template <typename T>
void shuffleInPlace(std::vector<T>& items, Rng& rng)
{
    for (std::size_t i = items.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(uniformBelow(rng, i));
        std::swap(items[i - 1], items[j]);
    }
}

} // namespace dermgan
