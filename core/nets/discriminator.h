#pragma once
// The StyleGAN2 residual discriminator with minibatch standard deviation, and the projection-style class
// conditioning of StyleGAN2-ADA: a mapping network embeds the class into cmap, and the output is
// <features, cmap> / sqrt(cmap_dim). Names match the reference (b64.conv0, b4.fc, mapping.embed, ...).
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "nets/generator.h"
#include "nets/layers.h"
#include "nets/network_config.h"

namespace dermgan::nets {

// Appends the per-group standard deviation of features as extra channels (groups of up to groupSize).
torch::Tensor minibatchStd(const torch::Tensor& x, int groupSize, int channels);

struct DiscriminatorBlockImpl : torch::nn::Module {
    DiscriminatorBlockImpl(int inChannels, int tmpChannels, int outChannels, int imageChannels, double convClamp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& img);

    int inChannels;
    Conv2dLayer fromrgb{nullptr}, conv0{nullptr}, conv1{nullptr}, skip{nullptr};
};
TORCH_MODULE(DiscriminatorBlock);

struct DiscriminatorEpilogueImpl : torch::nn::Module {
    DiscriminatorEpilogueImpl(int inChannels, int cmapDim, int resolution, int mbstdGroupSize, int mbstdChannels,
                              double convClamp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cmap);

    int cmapDim, mbstdGroupSize, mbstdChannels;
    Conv2dLayer conv{nullptr};
    FullyConnectedLayer fc{nullptr}, out{nullptr};
};
TORCH_MODULE(DiscriminatorEpilogue);

struct DiscriminatorImpl : torch::nn::Module {
    explicit DiscriminatorImpl(const NetworkConfig& config);
    // img [N, C, R, R] in [-1, 1], c one-hot (undefined when unconditional) -> logits [N, 1].
    torch::Tensor forward(const torch::Tensor& img, const torch::Tensor& c);

    NetworkConfig config;
    std::vector<DiscriminatorBlock> blocks;
    MappingNetwork mapping{nullptr};
    DiscriminatorEpilogue b4{nullptr};
};
TORCH_MODULE(Discriminator);

// D on two batches of equal size (fakes and reals) in one pass of 2N, which runs faster on CPU. The order
// keeps every minibatch-stddev group within one batch and with the same members as two separate calls, so
// the logits equal those of two passes (up to float rounding). Returns {D(first), D(second)}.
std::pair<torch::Tensor, torch::Tensor> discriminatePair(Discriminator& d, const torch::Tensor& first,
                                                         const torch::Tensor& firstClasses, const torch::Tensor& second,
                                                         const torch::Tensor& secondClasses);

} // namespace dermgan::nets
