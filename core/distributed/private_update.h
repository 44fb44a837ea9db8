#pragma once
// Differential-privacy-style protection of what a site shares after a round (DP-FedAvg, McMahan et al.
// 2018, applied per site): the site's update, its weights minus the round's starting global weights taken
// as one vector, is clipped to L2 norm `clip` and Gaussian noise of standard deviation
// noiseMultiplier * clip is added to every element. This bounds and blurs any one site's contribution;
// it is not a formal (epsilon, delta) guarantee unless paired with a privacy accountant, which dermgan
// does not compute (README, "Federated training and privacy").
#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace dermgan::distributed {

struct PrivateUpdateOptions {
    double clip = 0.0;             // 0 = no clipping (and no noise)
    double noiseMultiplier = 0.0;  // sigma: noise std = sigma * clip
};

struct PrivateUpdateReport {
    double updateNorm = 0.0;  // L2 norm of the update before clipping
    double scale = 1.0;       // factor applied by clipping (1 = not clipped)
    double noiseStd = 0.0;
};

// Replaces each `current` tensor by start + clip(current - start) + noise, in place (with clip 0, leaves
// them as they are and only measures the update's norm). `seed` drives the noise
// (per site and round, so that a resumed run adds the same noise).
PrivateUpdateReport privatiseUpdate(const std::vector<torch::Tensor>& current, const std::vector<torch::Tensor>& start,
                                    const PrivateUpdateOptions& options, std::uint64_t seed);

} // namespace dermgan::distributed
