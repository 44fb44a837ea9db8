#pragma once
// A compact residual CNN for dermoscopic images (64x64 to 96x96): the project's own "derm" feature network. Trained
// on real HAM10000 images, its pooled penultimate features embed images for FID-derm / KID-derm / PR-derm,
// its per-stage feature maps give the projector an LPIPS-style perceptual distance, and the same
// architecture is trained on real, synthetic or mixed data for the predictive-ability study.
// ~1.2M parameters, ~64M multiply-adds per image.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

namespace dermgan::nets {

struct ClassifierConfig {
    int resolution = 64;                         // images are resized to this before the network
    std::vector<std::string> classNames;
    std::vector<int> widths{32, 64, 128, 256};   // one residual stage each; stage k runs at resolution / 2^(k+1)
    double dropout = 0.3;
    // "shades-of-grey": each image's illuminant is estimated as the Minkowski p=6 mean of each channel and
    // divided out inside the network (Finlayson & Trezzi 2004; used by ISIC challenge winners, e.g.
    // Gessert et al. 2020), so a warmer or cooler dermatoscope light does not move the features. "none": as given.
    std::string colourConstancy = "none";

    int classCount() const { return static_cast<int>(classNames.size()); }
    int featureDim() const { return widths.back(); }
    void validate() const;  // InputError when unusable
};

void to_json(nlohmann::json& json, const ClassifierConfig& config);
void from_json(const nlohmann::json& json, ClassifierConfig& config);

struct ResidualBlockImpl : torch::nn::Module {
    ResidualBlockImpl(int inChannels, int outChannels, int stride);
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, shortcutBn{nullptr};
};
TORCH_MODULE(ResidualBlock);

struct ClassifierOutput {
    torch::Tensor logits;                 // [N, classes]
    torch::Tensor features;               // [N, featureDim]: global average of the last stage
    std::vector<torch::Tensor> stageMaps; // each stage's output, for perceptual distances
};

struct LesionClassifierImpl : torch::nn::Module {
    explicit LesionClassifierImpl(ClassifierConfig config);

    // `images`: float in [-1, 1], [N, 3, R, R]; resized to the configured resolution when R differs.
    ClassifierOutput run(const torch::Tensor& images, bool keepStageMaps = false);
    torch::Tensor forward(const torch::Tensor& images) { return run(images).logits; }

    ClassifierConfig config;
    torch::nn::Conv2d stem{nullptr};
    torch::nn::BatchNorm2d stemBn{nullptr};
    std::vector<ResidualBlock> stages;
    torch::nn::Dropout dropout{nullptr};
    torch::nn::Linear head{nullptr};
};
TORCH_MODULE(LesionClassifier);

// Shades-of-grey colour constancy on float images [N, 3, R, R] in [-1, 1]: each channel is scaled so that its
// Minkowski p-mean (p = 6) equals the mean of the three, on [0, 1] intensities. Differentiable, so the
// projector's perceptual loss passes through it. Finlayson & Trezzi, "Shades of grey and colour constancy", 2004.
torch::Tensor shadesOfGrey(const torch::Tensor& images, double p = 6.0);

// Resizes [N, 3, R, R] float images to `resolution`: exact area averaging when R is a multiple, else bilinear
// with antialiasing off (upsampling).
torch::Tensor resizeForClassifier(const torch::Tensor& images, int resolution);

} // namespace dermgan::nets
