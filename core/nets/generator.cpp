#include "nets/generator.h"

#include <cmath>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "nets/resample.h"

namespace dermgan::nets {

torch::Tensor modulatedConv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& styles,
                              const torch::Tensor& shift, int up, int padding, const torch::Tensor& filter,
                              bool demodulate, bool flipWeight, bool fused, double outputGain)
{
    const int64_t n = x.size(0);
    const int64_t outChannels = weight.size(0), inChannels = weight.size(1);
    torch::Tensor scale;  // [N, out]: demodulation 1 / |w * s| (without materialising per-sample weights) * gain
    if (demodulate)
        scale = (styles.square().matmul(weight.square().sum({2, 3}).t()) + 1e-8).rsqrt() * outputGain;
    else if (outputGain != 1.0)
        scale = torch::full({n, outChannels}, outputGain, x.options());

    if (!fused) {
        auto y = conv2dResample(x * styles.view({n, -1, 1, 1}), weight, filter, up, 1, padding, 1, flipWeight);
        if (scale.defined() && shift.defined())
            return torch::addcmul(shift, y, scale.view({n, -1, 1, 1}));
        if (scale.defined())
            return y * scale.view({n, -1, 1, 1});
        return shift.defined() ? y + shift : y;
    }
    auto w = weight.unsqueeze(0) * styles.view({n, 1, -1, 1, 1});
    if (scale.defined())
        w = w * scale.view({n, -1, 1, 1, 1});
    auto y = conv2dResample(x.reshape({1, -1, x.size(2), x.size(3)}),
                            w.reshape({n * outChannels, inChannels, weight.size(2), weight.size(3)}), filter, up, 1,
                            padding, n, flipWeight);
    y = y.reshape({n, outChannels, y.size(2), y.size(3)});
    return shift.defined() ? y + shift : y;
}

// ---------------------------------------------------------------------------------------------------------
struct MappingNetworkImpl::ClassMeanCache {
    std::mutex mutex;  // the explorer's gallery and generator views render from two threads
    std::vector<torch::Tensor> means;  // by class; undefined until asked for
    std::int64_t version = -1;
    c10::Device device = c10::kCPU;
};

MappingNetworkImpl::MappingNetworkImpl(int zDim_, int cDim_, int wDim_, int numWs_, int numLayers, double lrMultiplier,
                                       double wAvgBeta_)
    : zDim(zDim_), cDim(cDim_), wDim(wDim_), numWs(numWs_), wAvgBeta(wAvgBeta_)
{
    const int embedFeatures = cDim > 0 ? wDim : 0;
    if (cDim > 0)
        embed = register_module("embed", FullyConnectedLayer(cDim, embedFeatures));
    int in = zDim + embedFeatures;
    for (int i = 0; i < numLayers; ++i) {
        layers.push_back(register_module("fc" + std::to_string(i),
                                         FullyConnectedLayer(in, wDim, Activation::LeakyRelu, lrMultiplier)));
        in = wDim;
    }
    if (wAvgBeta >= 0)
        w_avg = register_buffer("w_avg", torch::zeros({wDim}));
    classMeans_ = std::make_shared<ClassMeanCache>();  // here, not on first use: two threads may render at once
}

torch::Tensor MappingNetworkImpl::mapped(const torch::Tensor& z, const torch::Tensor& c)
{
    torch::Tensor x;
    if (zDim > 0)
        x = normalize2ndMoment(z);
    if (cDim > 0) {
        auto y = normalize2ndMoment(embed->forward(c));
        x = x.defined() ? torch::cat({x, y}, 1) : y;
    }
    for (auto& layer : layers)
        x = layer->forward(x);
    return x;
}

// Every in-place update (optimiser step, EMA, load) bumps a tensor's version counter.
std::int64_t MappingNetworkImpl::weightsVersion() const
{
    std::int64_t version = 0;
    for (const auto& parameter : parameters())
        version += static_cast<std::int64_t>(parameter._version());
    return version;
}

torch::Tensor MappingNetworkImpl::classMeanW(int classIndex)
{
    TORCH_CHECK(classIndex >= 0 && classIndex < cDim, "class index out of range");
    std::lock_guard<std::mutex> lock(classMeans_->mutex);
    const auto device = layers.front()->weight.device();
    const auto version = weightsVersion();
    if (classMeans_->version != version || classMeans_->device != device) {
        classMeans_->means.assign(static_cast<std::size_t>(cDim), torch::Tensor());
        classMeans_->version = version;
        classMeans_->device = device;
    }
    auto& mean = classMeans_->means[static_cast<std::size_t>(classIndex)];
    if (!mean.defined()) {
        torch::NoGradGuard noGrad;
        auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<std::uint64_t>(classIndex));
        const auto z = torch::randn({kClassMeanSamples, std::max(zDim, 1)}, generator, torch::kFloat32).to(device);
        const auto c = torch::zeros({kClassMeanSamples, cDim}, z.options()).index_fill_(1, torch::tensor({classIndex}, z.options().dtype(torch::kLong)), 1.0);
        mean = mapped(zDim > 0 ? z : torch::Tensor(), c).mean(0);
    }
    return mean;
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi, int cutoff,
                                          bool updateWAvg)
{
    torch::Tensor x = mapped(z, c);
    if (updateWAvg && w_avg.defined()) {
        torch::NoGradGuard noGrad;
        w_avg.copy_(x.detach().mean(0).lerp(w_avg, wAvgBeta));
    }
    if (numWs > 0)
        x = x.unsqueeze(1).repeat({1, numWs, 1});
    if (psi != 1.0 && w_avg.defined()) {
        torch::Tensor center = w_avg;
        if (cDim > 0 && c.defined() && truncationCenter == TruncationCenter::ClassMean) {
            std::vector<torch::Tensor> means;
            const auto used = (c != 0).any(0).to(torch::kCPU);  // only the classes that c asks for are computed
            for (int k = 0; k < cDim; ++k)
                means.push_back(used[k].item<bool>() ? classMeanW(k) : torch::zeros({wDim}, x.options()));
            // [N, wDim]: the class mean, or a blend weighted by c's row; a row of zeros falls back to w_avg.
            const auto weights = c.to(x.dtype());
            const auto total = weights.sum(1, true);
            center = torch::where(total > 0, (weights / total.clamp_min(1e-12)).matmul(torch::stack(means)), w_avg.unsqueeze(0));
            if (numWs > 0)
                center = center.unsqueeze(1);
        }
        if (numWs > 0 && cutoff >= 0 && cutoff < numWs) {
            auto head = center.lerp(x.narrow(1, 0, cutoff), psi);
            x = torch::cat({head, x.narrow(1, cutoff, numWs - cutoff)}, 1);
        } else {
            x = center.lerp(x, psi);
        }
    }
    return x;
}

// ---------------------------------------------------------------------------------------------------------
SynthesisLayerImpl::SynthesisLayerImpl(int inChannels, int outChannels, int wDim, int resolution_, int up_,
                                       double convClamp_)
    : resolution(resolution_), up(up_), convClamp(convClamp_)
{
    affine = register_module("affine", FullyConnectedLayer(wDim, inChannels, Activation::Linear, 1.0, 1.0));
    weight = register_parameter("weight", torch::randn({outChannels, inChannels, 3, 3}));
    bias = register_parameter("bias", torch::zeros({outChannels}));
    noise_const = register_buffer("noise_const", torch::randn({resolution, resolution}));
    noise_strength = register_parameter("noise_strength", torch::zeros({}));
    resample_filter = register_buffer("resample_filter", setupFilter());
}

torch::Tensor SynthesisLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noiseMode,
                                          bool fused, double gain)
{
    const auto styles = affine->forward(w);
    // lrelu(conv * d + noise + bias) * g == lrelu(conv * (d g) + (noise + bias) g) for g > 0: folding the
    // activation gain and the bias into the demodulation's multiply-add saves two passes over the activations.
    const double g = std::sqrt(2.0) * gain;
    // The noise is added afterwards, in place: a [N, C, H, W] shift of noise + bias would be laid out
    // channels-first and take the result with it (see SynthesisBlockImpl::forward on channels-last).
    const auto shift = bias.view({1, -1, 1, 1}) * g;
    // The reference passes flip_weight = (up == 1): "slightly faster", and part of what the weights mean.
    auto y = modulatedConv2d(x, weight, styles, shift, up, 1, resample_filter, true, up == 1, fused, g);
    // y is a fresh tensor that no backward function reads, so the rest can run in place.
    if (noiseMode == NoiseMode::Random)
        y.add_(torch::randn({x.size(0), 1, resolution, resolution}, x.options()) * (noise_strength * g));
    else if (noiseMode == NoiseMode::Const)
        y.add_(noise_const * (noise_strength * g));
    torch::leaky_relu_(y, 0.2);
    return convClamp >= 0 ? y.clamp(-convClamp * gain, convClamp * gain) : y;
}

ToRGBLayerImpl::ToRGBLayerImpl(int inChannels, int outChannels, int wDim, double convClamp_)
    : weightGain(1.0 / std::sqrt(static_cast<double>(inChannels))), convClamp(convClamp_)
{
    affine = register_module("affine", FullyConnectedLayer(wDim, inChannels, Activation::Linear, 1.0, 1.0));
    weight = register_parameter("weight", torch::randn({outChannels, inChannels, 1, 1}));
    bias = register_parameter("bias", torch::zeros({outChannels}));
}

torch::Tensor ToRGBLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, bool fused)
{
    const auto styles = affine->forward(w) * weightGain;
    auto y = modulatedConv2d(x, weight, styles, torch::Tensor(), 1, 0, torch::Tensor(), false, true, fused);
    return biasAct(y, bias, Activation::Linear, 1.0, convClamp);
}

SynthesisBlockImpl::SynthesisBlockImpl(int inChannels_, int outChannels, int wDim, int resolution, int imageChannels,
                                       double convClamp)
    : inChannels(inChannels_), numConv(inChannels_ == 0 ? 1 : 2)
{
    if (inChannels == 0)
        const_ = register_parameter("const", torch::randn({outChannels, resolution, resolution}));
    else
        conv0 = register_module("conv0", SynthesisLayer(inChannels, outChannels, wDim, resolution, 2, convClamp));
    conv1 = register_module("conv1", SynthesisLayer(outChannels, outChannels, wDim, resolution, 1, convClamp));
    torgb = register_module("torgb", ToRGBLayer(outChannels, imageChannels, wDim, convClamp));
    resample_filter = register_buffer("resample_filter", setupFilter());
}

std::pair<torch::Tensor, torch::Tensor> SynthesisBlockImpl::forward(const torch::Tensor& xIn, const torch::Tensor& imgIn,
                                                                    const torch::Tensor& ws, NoiseMode noise, bool fused,
                                                                    const SynthesisWatch* watch)
{
    const auto stopped = [watch] { return watch && watch->stopped(); };
    torch::Tensor x;
    int next = 0;
    if (inChannels == 0) {
        // Channels-last from the first layer on: oneDNN's convolutions and depthwise FIR filters run
        // faster on it than on channels-first (which they reorder), and element-wise ops keep it.
        x = const_.unsqueeze(0).expand({ws.size(0), -1, -1, -1}).contiguous(at::MemoryFormat::ChannelsLast);
        x = conv1->forward(x, ws.select(1, next++), noise, fused);
    } else {
        x = conv0->forward(xIn, ws.select(1, next++), noise, fused);
        if (stopped())
            return {};
        x = conv1->forward(x, ws.select(1, next++), noise, fused);
    }
    if (stopped())
        return {};
    auto img = imgIn.defined() ? upsample2d(imgIn, resample_filter) : torch::Tensor();
    auto y = torgb->forward(x, ws.select(1, next), fused);
    img = img.defined() ? img + y : y;
    return {x, img};
}

SynthesisNetworkImpl::SynthesisNetworkImpl(const NetworkConfig& config)
{
    int previous = 0;
    for (int res = 4; res <= config.resolution; res *= 2) {
        const int channels = config.channelsAt(res);
        blocks.push_back(register_module("b" + std::to_string(res),
                                         SynthesisBlock(previous, channels, config.wDim, res, config.imageChannels,
                                                        config.convClamp)));
        numWs += blocks.back()->numConv;
        previous = channels;
    }
    numWs += 1;  // the last block's ToRGB
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws, NoiseMode noise, bool fused)
{
    return forward(ws, noise, fused, SynthesisWatch{});
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws, NoiseMode noise, bool fused, const SynthesisWatch& watch)
{
    torch::Tensor x, img;
    int64_t index = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (watch.stopped())
            return {};
        std::tie(x, img) = blocks[b]->forward(x, img, ws.narrow(1, index, blocks[b]->numConv + 1), noise, fused, &watch);
        if (!img.defined())
            return {};
        if (watch.blockDone && b + 1 < blocks.size()) {
            auto estimate = img.clone();
            for (std::size_t later = b + 1; later < blocks.size(); ++later)
                estimate += blocks[later]->torgb->bias.view({1, -1, 1, 1});
            watch.blockDone(estimate);
        }
        index += blocks[b]->numConv;
    }
    return img;
}

GeneratorImpl::GeneratorImpl(const NetworkConfig& config_) : config(config_)
{
    config.validate();
    synthesis = SynthesisNetwork(config);
    mapping = register_module("mapping", MappingNetwork(config.zDim, config.classCount, config.wDim,
                                                        synthesis->numWs, config.mappingLayers,
                                                        config.mappingLrMultiplier, config.wAvgBeta));
    register_module("synthesis", synthesis);
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi, NoiseMode noise)
{
    return synthesis->forward(mapping->forward(z, c, psi), noise, fusedModconv);
}

torch::Tensor oneHot(const std::vector<int64_t>& labels, int classCount, const torch::TensorOptions& options)
{
    if (classCount <= 0)
        return {};
    const auto index = torch::tensor(labels, torch::kLong).view({-1, 1}).to(options.device());
    return torch::zeros({static_cast<int64_t>(labels.size()), classCount}, options).scatter_(1, index, 1.0);
}

} // namespace dermgan::nets
