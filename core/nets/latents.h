#pragma once
// Latent vectors from integer seeds, compatible with the reference scripts: z for seed s equals
// numpy.random.RandomState(s).randn(1, z_dim), so "seed 42" means the same latent in dermgan and in
// StyleGAN2-ADA's generate.py (MT19937 seeded by init_genrand, polar Box-Muller as numpy's legacy gauss).
#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace dermgan::nets {

std::vector<double> numpyRandn(std::uint32_t seed, int count);

// [seeds.size(), zDim] float32 on CPU.
torch::Tensor latentsFromSeeds(const std::vector<std::uint32_t>& seeds, int zDim);

} // namespace dermgan::nets
