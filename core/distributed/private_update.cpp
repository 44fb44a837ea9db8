#include "distributed/private_update.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::distributed {

PrivateUpdateReport privatiseUpdate(const std::vector<torch::Tensor>& current, const std::vector<torch::Tensor>& start,
                                    const PrivateUpdateOptions& options, std::uint64_t seed)
{
    if (current.size() != start.size())
        throw InputError("private update: " + std::to_string(current.size()) + " tensors against " +
                         std::to_string(start.size()) + " at the round's start; expected the same list");
    if (options.clip < 0.0 || options.noiseMultiplier < 0.0 || (options.noiseMultiplier > 0.0 && options.clip == 0.0))
        throw InputError("--dp-clip must be > 0 when --dp-noise is set, and neither may be negative");
    PrivateUpdateReport report;
    torch::NoGradGuard noGrad;
    // On the CPU in float64: the noise generator is a CPU one, and the norm must not lose the small updates.
    const auto cpu = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kDouble); };
    double squares = 0.0;
    for (std::size_t i = 0; i < current.size(); ++i)
        squares += (cpu(current[i]) - cpu(start[i])).pow(2).sum().item<double>();
    report.updateNorm = std::sqrt(squares);  // recorded even without privacy: how far the site moved this round
    if (options.clip == 0.0)
        return report;
    report.scale = report.updateNorm > options.clip ? options.clip / report.updateNorm : 1.0;
    report.noiseStd = options.noiseMultiplier * options.clip;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (std::size_t i = 0; i < current.size(); ++i) {
        auto update = (cpu(current[i]) - cpu(start[i])) * report.scale;
        if (report.noiseStd > 0.0)
            update += torch::randn(update.sizes(), generator, torch::TensorOptions().dtype(torch::kDouble)) * report.noiseStd;
        current[i].copy_(cpu(start[i]) + update);
    }
    return report;
}

} // namespace dermgan::distributed
