#pragma once
// The StyleGAN2 losses: non-saturating logistic loss, R1 gradient penalty on reals (lazy), path-length
// regularisation.
#include <functional>

#include <torch/types.h>

namespace dermgan::train {

using DiscriminatorFn = std::function<torch::Tensor(const torch::Tensor& images)>;

// R1 = |grad_x D(x)|^2 per real image, differentiable (for its own backward). `logits` receives D(x).
torch::Tensor r1Penalty(const DiscriminatorFn& discriminator, const torch::Tensor& reals, torch::Tensor* logits = nullptr);

// Path-length penalty (|J_w^T y| - a)^2 with y ~ N(0, I) / sqrt(HW); a = running mean, updated in place.
// `ws` must be part of the graph that produced `images`.
torch::Tensor pathLengthPenalty(const torch::Tensor& images, const torch::Tensor& ws, double& runningMean,
                                double decay = 0.01);

} // namespace dermgan::train
