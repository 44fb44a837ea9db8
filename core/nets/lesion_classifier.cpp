#include "nets/lesion_classifier.h"

#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::nets {

namespace F = torch::nn::functional;

void ClassifierConfig::validate() const
{
    if (resolution < 16 || resolution > 1024)
        throw InputError("classifier resolution " + std::to_string(resolution) + " is outside 16..1024");
    if (classNames.size() < 2)
        throw InputError("a classifier needs at least 2 classes; got " + std::to_string(classNames.size()));
    if (widths.empty())
        throw InputError("a classifier needs at least one stage");
    if (colourConstancy != "none" && colourConstancy != "shades-of-grey")
        throw InputError("classifier colour constancy '" + colourConstancy + "' is not known; expected none or shades-of-grey");
}

void to_json(nlohmann::json& json, const ClassifierConfig& config)
{
    json = {{"architecture", "dermgan-resnet"},
            {"resolution", config.resolution},
            {"class_names", config.classNames},
            {"widths", config.widths},
            {"dropout", config.dropout}};
    // Written only when used, so that the files of networks without it keep their bytes and hashes.
    if (config.colourConstancy != "none")
        json["colour_constancy"] = config.colourConstancy;
}

void from_json(const nlohmann::json& json, ClassifierConfig& config)
{
    config.resolution = json.at("resolution").get<int>();
    config.classNames = json.at("class_names").get<std::vector<std::string>>();
    config.widths = json.at("widths").get<std::vector<int>>();
    config.dropout = json.value("dropout", 0.3);
    config.colourConstancy = json.value("colour_constancy", std::string("none"));
}

ResidualBlockImpl::ResidualBlockImpl(int inChannels, int outChannels, int stride)
{
    const auto conv = [](int in, int out, int k, int s) {
        return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(s).padding(k / 2).bias(false));
    };
    conv1 = register_module("conv1", conv(inChannels, outChannels, 3, stride));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(outChannels));
    conv2 = register_module("conv2", conv(outChannels, outChannels, 3, 1));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(outChannels));
    if (stride != 1 || inChannels != outChannels) {
        shortcut = register_module("shortcut", conv(inChannels, outChannels, 1, stride));
        shortcutBn = register_module("shortcut_bn", torch::nn::BatchNorm2d(outChannels));
    }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x)
{
    auto y = torch::relu(bn1(conv1(x)));
    y = bn2(conv2(y));
    return torch::relu(y + (shortcut ? shortcutBn(shortcut(x)) : x));
}

LesionClassifierImpl::LesionClassifierImpl(ClassifierConfig config_) : config(std::move(config_))
{
    config.validate();
    const int stemWidth = config.widths.front();
    // The stem halves the resolution at once: 64x64 dermoscopy holds little detail at single-pixel scale.
    stem = register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, stemWidth, 3).stride(2).padding(1).bias(false)));
    stemBn = register_module("stem_bn", torch::nn::BatchNorm2d(stemWidth));
    int in = stemWidth;
    for (std::size_t k = 0; k < config.widths.size(); ++k) {
        stages.push_back(register_module("stage" + std::to_string(k), ResidualBlock(in, config.widths[k], k == 0 ? 1 : 2)));
        in = config.widths[k];
    }
    dropout = register_module("dropout", torch::nn::Dropout(config.dropout));
    head = register_module("head", torch::nn::Linear(in, config.classCount()));
}

ClassifierOutput LesionClassifierImpl::run(const torch::Tensor& images, bool keepStageMaps)
{
    auto input = resizeForClassifier(images, config.resolution);
    if (config.colourConstancy == "shades-of-grey")
        input = shadesOfGrey(input);
    auto x = torch::relu(stemBn(stem(input)));
    ClassifierOutput out;
    for (auto& stage : stages) {
        x = stage(x);
        if (keepStageMaps)
            out.stageMaps.push_back(x);
    }
    out.features = x.mean({2, 3});
    out.logits = head(dropout(out.features));
    return out;
}

torch::Tensor shadesOfGrey(const torch::Tensor& images, double p)
{
    const auto unit = ((images + 1.0) * 0.5).clamp_min(1e-4);
    const auto illuminant = unit.pow(p).mean({2, 3}, true).pow(1.0 / p);  // [N, 3, 1, 1]
    const auto grey = illuminant.mean(1, true);
    return (unit * (grey / illuminant)).clamp(0.0, 1.0) * 2.0 - 1.0;
}

torch::Tensor resizeForClassifier(const torch::Tensor& images, int resolution)
{
    const auto r = images.size(-1);
    if (r == resolution)
        return images;
    if (r > resolution && r % resolution == 0)
        return F::avg_pool2d(images, F::AvgPool2dFuncOptions(r / resolution));
    return F::interpolate(images, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{resolution, resolution})
                                      .mode(torch::kBilinear)
                                      .align_corners(false));
}

} // namespace dermgan::nets
