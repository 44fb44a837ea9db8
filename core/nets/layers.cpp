#include "nets/layers.h"

#include <cmath>

#include <torch/torch.h>

#include "nets/resample.h"

namespace dermgan::nets {

torch::Tensor biasAct(const torch::Tensor& x, const torch::Tensor& bias, Activation activation, double gain, double clamp)
{
    auto y = x;
    if (bias.defined())
        y = x.dim() == 2 ? y + bias.view({1, -1}) : y + bias.view({1, -1, 1, 1});
    if (activation == Activation::LeakyRelu) {
        y = torch::leaky_relu(y, 0.2);
        gain *= std::sqrt(2.0);
    }
    if (gain != 1.0)
        y = y * gain;
    if (clamp >= 0.0)
        y = y.clamp(-clamp, clamp);
    return y;
}

torch::Tensor normalize2ndMoment(const torch::Tensor& x)
{
    return x * (x.square().mean(1, true) + 1e-8).rsqrt();
}

FullyConnectedLayerImpl::FullyConnectedLayerImpl(int64_t inFeatures, int64_t outFeatures, Activation activation_,
                                                 double lrMultiplier, double biasInit, bool useBias)
    : activation(activation_), weightGain(lrMultiplier / std::sqrt(static_cast<double>(inFeatures))),
      biasGain(lrMultiplier)
{
    weight = register_parameter("weight", torch::randn({outFeatures, inFeatures}) / lrMultiplier);
    if (useBias)
        bias = register_parameter("bias", torch::full({outFeatures}, biasInit));
}

torch::Tensor FullyConnectedLayerImpl::forward(const torch::Tensor& x)
{
    const auto w = weight * weightGain;
    if (activation == Activation::Linear && bias.defined())
        return torch::addmm((bias * biasGain).unsqueeze(0), x, w.t());
    return biasAct(x.matmul(w.t()), bias.defined() ? bias * biasGain : torch::Tensor(), activation);
}

Conv2dLayerImpl::Conv2dLayerImpl(int64_t inChannels, int64_t outChannels, int kernelSize, Activation activation_,
                                 int up_, int down_, bool useBias, double convClamp_)
    : activation(activation_), up(up_), down(down_), padding(kernelSize / 2),
      weightGain(1.0 / std::sqrt(static_cast<double>(inChannels * kernelSize * kernelSize))), convClamp(convClamp_)
{
    weight = register_parameter("weight", torch::randn({outChannels, inChannels, kernelSize, kernelSize}));
    if (useBias)
        bias = register_parameter("bias", torch::zeros({outChannels}));
    resample_filter = register_buffer("resample_filter", setupFilter());
}

torch::Tensor Conv2dLayerImpl::forward(const torch::Tensor& x, double gain)
{
    // Same as the reference's act(conv(x, w) + b) * gain, with the positive gain moved in front of the
    // (positively homogeneous) activation and into the small weight and bias tensors, and the bias into the
    // convolution: two fewer passes over the activations, forward and backward.
    const double outputGain = activation == Activation::LeakyRelu ? gain * std::sqrt(2.0) : gain;
    const auto b = bias.defined() ? bias * outputGain : torch::Tensor();
    auto y = conv2dResample(x, weight * (weightGain * outputGain), resample_filter, up, down, padding, 1, up == 1, b);
    if (activation == Activation::LeakyRelu)
        torch::leaky_relu_(y, 0.2);  // y is the convolution's fresh output, which its backward does not read
    if (convClamp >= 0)
        y = y.clamp(-convClamp * gain, convClamp * gain);
    return y;
}

} // namespace dermgan::nets
