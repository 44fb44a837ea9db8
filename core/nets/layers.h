#pragma once
// Building blocks with equalised learning rate: weights are stored ~N(0, 1) and scaled at run time by
// 1/sqrt(fan_in), so Adam's per-parameter step sizes treat every layer alike (Karras et al. 2018).
// Parameter names follow the reference StyleGAN2-ADA (weight, bias), so reference networks can be imported.
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace dermgan::nets {

enum class Activation { Linear, LeakyRelu };

// Bias, activation (leaky ReLU 0.2 scaled by sqrt(2) * gain, or linear * gain), optional clamp to +-clamp.
torch::Tensor biasAct(const torch::Tensor& x, const torch::Tensor& bias, Activation activation, double gain = 1.0,
                      double clamp = -1.0);

// x / sqrt(mean(x^2) over dim 1 + 1e-8).
torch::Tensor normalize2ndMoment(const torch::Tensor& x);

struct FullyConnectedLayerImpl : torch::nn::Module {
    FullyConnectedLayerImpl(int64_t inFeatures, int64_t outFeatures, Activation activation = Activation::Linear,
                            double lrMultiplier = 1.0, double biasInit = 0.0, bool bias = true);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias;
    Activation activation;
    double weightGain, biasGain;
};
TORCH_MODULE(FullyConnectedLayer);

struct Conv2dLayerImpl : torch::nn::Module {
    Conv2dLayerImpl(int64_t inChannels, int64_t outChannels, int kernelSize, Activation activation = Activation::Linear,
                    int up = 1, int down = 1, bool bias = true, double convClamp = -1.0);
    torch::Tensor forward(const torch::Tensor& x, double gain = 1.0);

    torch::Tensor weight, bias, resample_filter;
    Activation activation;
    int up, down, padding;
    double weightGain, convClamp;
};
TORCH_MODULE(Conv2dLayer);

} // namespace dermgan::nets
