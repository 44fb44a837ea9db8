#pragma once
// The StyleGAN2 generator: mapping network (z [+ class] -> w) and synthesis network (one w per layer ->
// image) with modulated convolutions, weight demodulation, per-layer noise and the skip architecture
// (ToRGB at every resolution, upsampled and summed). Module and parameter names match the reference
// StyleGAN2-ADA (mapping.fc0.weight, synthesis.b8.conv0.affine.bias, synthesis.b4.const, ...).
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "nets/layers.h"
#include "nets/network_config.h"
#include "nets/noise_mode.h"

namespace dermgan::nets {

// x: activations, weight [out, in, k, k] (raw), styles [N, in]. Non-fused: scale the activations (faster on
// CPU); fused: one grouped convolution with per-sample weights (the reference's inference path on GPU).
// Returns conv * outputGain (demodulated when asked) + shift, where shift (noise, bias) broadcasts.
torch::Tensor modulatedConv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& styles,
                              const torch::Tensor& shift, int up, int padding, const torch::Tensor& filter,
                              bool demodulate, bool flipWeight, bool fused, double outputGain = 1.0);

// Where truncation pulls w. The reference pulls every class toward one w_avg tracked over all classes, so a
// conditional model at psi 0 draws the same image for every diagnosis; the class's own mean w keeps each
// diagnosis (the conditional default here; StyleGAN3 issue #76).
enum class TruncationCenter { ClassMean, GlobalMean };

struct MappingNetworkImpl : torch::nn::Module {
    // numWs = 0: return [N, wDim] instead of broadcasting; wAvgBeta < 0: no w_avg tracking (D's mapping).
    MappingNetworkImpl(int zDim, int cDim, int wDim, int numWs, int numLayers, double lrMultiplier, double wAvgBeta);
    // Truncation moves the first `cutoff` ws (all when cutoff < 0) toward the centre: centre + psi (w - centre),
    // the centre being w_avg, or for a conditional mapping with TruncationCenter::ClassMean the mean w of the
    // class that each row of c asks for (c [N, cDim], one-hot or a blend of classes).
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double psi = 1.0, int cutoff = -1,
                          bool updateWAvg = false);
    // Mean w of class k over kClassMeanSamples fixed z (seed 0), cached until a weight changes: [wDim].
    torch::Tensor classMeanW(int classIndex);

    static constexpr int kClassMeanSamples = 2048;
    int zDim, cDim, wDim, numWs;
    double wAvgBeta;
    TruncationCenter truncationCenter = TruncationCenter::ClassMean;
    FullyConnectedLayer embed{nullptr};
    std::vector<FullyConnectedLayer> layers;
    torch::Tensor w_avg;

private:
    torch::Tensor mapped(const torch::Tensor& z, const torch::Tensor& c);
    std::int64_t weightsVersion() const;
    struct ClassMeanCache;
    std::shared_ptr<ClassMeanCache> classMeans_;
};
TORCH_MODULE(MappingNetwork);

struct SynthesisLayerImpl : torch::nn::Module {
    SynthesisLayerImpl(int inChannels, int outChannels, int wDim, int resolution, int up, double convClamp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noise, bool fused, double gain = 1.0);

    FullyConnectedLayer affine{nullptr};
    torch::Tensor weight, bias, noise_const, noise_strength, resample_filter;
    int resolution, up;
    double convClamp;
};
TORCH_MODULE(SynthesisLayer);

struct ToRGBLayerImpl : torch::nn::Module {
    ToRGBLayerImpl(int inChannels, int outChannels, int wDim, double convClamp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, bool fused);

    FullyConnectedLayer affine{nullptr};
    torch::Tensor weight, bias;
    double weightGain, convClamp;
};
TORCH_MODULE(ToRGBLayer);

// Lets a caller watch a synthesis pass and end it early (the explorer's progressive render; Qt's mandelbrot
// example restarts its render thread the same way).
struct SynthesisWatch {
    // Polled before every layer; true ends the pass, which then returns an undefined tensor.
    std::function<bool()> stopRequested;
    // Called after each block but the last with an estimate of the image [N, C, r, r] at the block's
    // resolution r: the skip architecture's running sum of ToRGB outputs plus the later ToRGB layers'
    // biases (the constant part of what is still to come; without it the colours are off).
    std::function<void(const torch::Tensor& img)> blockDone;

    bool stopped() const { return stopRequested && stopRequested(); }
};

struct SynthesisBlockImpl : torch::nn::Module {
    SynthesisBlockImpl(int inChannels, int outChannels, int wDim, int resolution, int imageChannels, double convClamp);
    // ws: [N, numConv + 1, wDim]. Returns {x, img}, both undefined when `watch` stopped the pass.
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& img,
                                                    const torch::Tensor& ws, NoiseMode noise, bool fused,
                                                    const SynthesisWatch* watch = nullptr);

    int inChannels, numConv;
    torch::Tensor const_, resample_filter;
    SynthesisLayer conv0{nullptr}, conv1{nullptr};
    ToRGBLayer torgb{nullptr};
};
TORCH_MODULE(SynthesisBlock);

struct SynthesisNetworkImpl : torch::nn::Module {
    explicit SynthesisNetworkImpl(const NetworkConfig& config);
    // ws: [N, numWs, wDim] -> images [N, C, R, R], roughly in [-1, 1].
    torch::Tensor forward(const torch::Tensor& ws, NoiseMode noise = NoiseMode::Const, bool fused = false);
    // The same pass, watched: an undefined tensor when `watch` stopped it.
    torch::Tensor forward(const torch::Tensor& ws, NoiseMode noise, bool fused, const SynthesisWatch& watch);

    int numWs = 0;
    std::vector<SynthesisBlock> blocks;
};
TORCH_MODULE(SynthesisNetwork);

struct GeneratorImpl : torch::nn::Module {
    explicit GeneratorImpl(const NetworkConfig& config);
    // z [N, zDim], c one-hot [N, classCount] (undefined when unconditional).
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double psi = 1.0,
                          NoiseMode noise = NoiseMode::Const);

    NetworkConfig config;
    bool fusedModconv = false;  // set per device: fused on CUDA inference, activation scaling on CPU
    MappingNetwork mapping{nullptr};
    SynthesisNetwork synthesis{nullptr};
};
TORCH_MODULE(Generator);

// One-hot class vectors [N, classCount] on `options`' device; undefined when classCount == 0.
torch::Tensor oneHot(const std::vector<int64_t>& labels, int classCount, const torch::TensorOptions& options);

} // namespace dermgan::nets
