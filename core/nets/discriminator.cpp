#include "nets/discriminator.h"

#include <cmath>

#include <torch/torch.h>

namespace dermgan::nets {

torch::Tensor minibatchStd(const torch::Tensor& x, int groupSize, int channels)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    int64_t g = std::min<int64_t>(groupSize, n);
    while (n % g != 0)  // the reference requires divisibility; fall back to the largest divisor
        --g;
    const int64_t f = channels;
    auto y = x.reshape({g, -1, f, c / f, h, w});
    y = y - y.mean(0);
    y = y.square().mean(0);
    y = (y + 1e-8).sqrt();
    y = y.mean({2, 3, 4});
    y = y.reshape({-1, f, 1, 1});
    y = y.repeat({g, 1, h, w});
    return torch::cat({x, y}, 1);
}

DiscriminatorBlockImpl::DiscriminatorBlockImpl(int inChannels_, int tmpChannels, int outChannels, int imageChannels,
                                               double convClamp)
    : inChannels(inChannels_)
{
    if (inChannels == 0)
        fromrgb = register_module("fromrgb", Conv2dLayer(imageChannels, tmpChannels, 1, Activation::LeakyRelu, 1, 1,
                                                         true, convClamp));
    conv0 = register_module("conv0", Conv2dLayer(tmpChannels, tmpChannels, 3, Activation::LeakyRelu, 1, 1, true, convClamp));
    conv1 = register_module("conv1", Conv2dLayer(tmpChannels, outChannels, 3, Activation::LeakyRelu, 1, 2, true, convClamp));
    skip = register_module("skip", Conv2dLayer(tmpChannels, outChannels, 1, Activation::Linear, 1, 2, false));
}

torch::Tensor DiscriminatorBlockImpl::forward(const torch::Tensor& xIn, const torch::Tensor& img)
{
    const auto x = inChannels == 0 ? fromrgb->forward(img) : xIn;
    const double half = std::sqrt(0.5);
    const auto y = skip->forward(x, half);
    return y + conv1->forward(conv0->forward(x), half);
}

DiscriminatorEpilogueImpl::DiscriminatorEpilogueImpl(int inChannels, int cmapDim_, int resolution, int mbstdGroupSize_,
                                                     int mbstdChannels_, double convClamp)
    : cmapDim(cmapDim_), mbstdGroupSize(mbstdGroupSize_), mbstdChannels(mbstdChannels_)
{
    conv = register_module("conv", Conv2dLayer(inChannels + mbstdChannels, inChannels, 3, Activation::LeakyRelu, 1, 1,
                                               true, convClamp));
    fc = register_module("fc", FullyConnectedLayer(inChannels * resolution * resolution, inChannels, Activation::LeakyRelu));
    out = register_module("out", FullyConnectedLayer(inChannels, cmapDim == 0 ? 1 : cmapDim));
}

torch::Tensor DiscriminatorEpilogueImpl::forward(const torch::Tensor& xIn, const torch::Tensor& cmap)
{
    auto x = mbstdChannels > 0 ? minibatchStd(xIn, mbstdGroupSize, mbstdChannels) : xIn;
    x = conv->forward(x);
    x = fc->forward(x.flatten(1));
    x = out->forward(x);
    if (cmapDim > 0)
        x = (x * cmap).sum(1, true) * (1.0 / std::sqrt(static_cast<double>(cmapDim)));
    return x;
}

DiscriminatorImpl::DiscriminatorImpl(const NetworkConfig& config_) : config(config_)
{
    config.validate();
    for (int res = config.resolution; res >= 8; res /= 2) {
        const int in = res < config.resolution ? config.channelsAt(res) : 0;
        blocks.push_back(register_module("b" + std::to_string(res),
                                         DiscriminatorBlock(in, config.channelsAt(res), config.channelsAt(res / 2),
                                                            config.imageChannels, config.convClamp)));
    }
    const int cmapDim = config.classCount > 0 ? config.channelsAt(4) : 0;
    if (config.classCount > 0)
        mapping = register_module("mapping", MappingNetwork(0, config.classCount, cmapDim, 0,
                                                            config.discriminatorMappingLayers,
                                                            config.mappingLrMultiplier, -1.0));
    b4 = register_module("b4", DiscriminatorEpilogue(config.channelsAt(4), cmapDim, 4, config.mbstdGroupSize,
                                                     config.mbstdChannels, config.convClamp));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& img, const torch::Tensor& c)
{
    torch::Tensor x;
    // Channels-last throughout, as in the generator: faster oneDNN convolutions and FIR filters.
    const auto image = img.contiguous(at::MemoryFormat::ChannelsLast);
    for (auto& block : blocks)
        x = block->forward(x, image);
    torch::Tensor cmap;
    if (config.classCount > 0)
        cmap = mapping->forward(torch::Tensor(), c);
    return b4->forward(x, cmap);
}

std::pair<torch::Tensor, torch::Tensor> discriminatePair(Discriminator& d, const torch::Tensor& first,
                                                         const torch::Tensor& firstClasses, const torch::Tensor& second,
                                                         const torch::Tensor& secondClasses)
{
    const int64_t n = first.size(0), groups = d->config.mbstdGroupSize;
    if (second.size(0) != n || n < groups || n % groups != 0 || d->config.mbstdChannels == 0)
        return {d->forward(first, firstClasses), d->forward(second, secondClasses)};
    // Alone, sample i sits in slot i % m of group row i / m (m = n / groups). Together, slots [0, m) of each
    // row hold the first batch and [m, 2m) the second.
    const int64_t m = n / groups;
    std::vector<int64_t> order(static_cast<std::size_t>(2 * n)), position(static_cast<std::size_t>(2 * n));
    for (int64_t row = 0; row < groups; ++row)
        for (int64_t slot = 0; slot < 2 * m; ++slot) {
            const int64_t p = row * 2 * m + slot;
            const int64_t source = slot < m ? row * m + slot : n + row * m + (slot - m);
            order[static_cast<std::size_t>(p)] = source;
            position[static_cast<std::size_t>(source)] = p;
        }
    const auto device = first.device();
    const auto orderIndex = torch::tensor(order).to(device);
    const auto images = torch::cat({first, second}).index_select(0, orderIndex);
    const auto c = firstClasses.defined() ? torch::cat({firstClasses, secondClasses}).index_select(0, orderIndex)
                                          : torch::Tensor();
    const auto logits = d->forward(images, c);
    const auto where = torch::tensor(position).to(device);
    return {logits.index_select(0, where.narrow(0, 0, n)), logits.index_select(0, where.narrow(0, n, n))};
}

} // namespace dermgan::nets
