#include "train/losses.h"

#include <cmath>

#include <torch/torch.h>

namespace dermgan::train {

torch::Tensor r1Penalty(const DiscriminatorFn& discriminator, const torch::Tensor& reals, torch::Tensor* logits)
{
    const auto x = reals.detach().requires_grad_(true);
    const auto out = discriminator(x);
    const auto gradient = torch::autograd::grad({out.sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    if (logits)
        *logits = out;
    return gradient.square().sum({1, 2, 3});
}

torch::Tensor pathLengthPenalty(const torch::Tensor& images, const torch::Tensor& ws, double& runningMean, double decay)
{
    const double pixels = static_cast<double>(images.size(2) * images.size(3));
    const auto noise = torch::randn_like(images) / std::sqrt(pixels);
    const auto gradient = torch::autograd::grad({(images * noise).sum()}, {ws}, {}, true, true)[0];
    const auto lengths = gradient.square().sum(2).mean(1).sqrt();
    runningMean = runningMean + decay * (lengths.mean().item<double>() - runningMean);
    return (lengths - runningMean).square();
}

} // namespace dermgan::train
