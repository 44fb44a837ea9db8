#include "model/stylegan2_import.h"

#include <set>

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/npy.h"
#include "io/tagged_archive.h"
#include "io/zip_archive.h"

namespace dermgan {

namespace {

constexpr const char* kConfigMember = "__config__.npy";

nets::NetworkConfig networkOf(const nlohmann::json& config, const std::string& file, const std::vector<std::string>& classNames)
{
    const auto need = [&](const char* key) -> const nlohmann::json& {
        if (!config.contains(key) || config[key].is_null())
            throw InputError(file + ": the import config lacks '" + key + "'");
        return config[key];
    };
    if (config.value("format", "") != kStyleGan2ImportFormat)
        throw InputError(file + " is not a StyleGAN2-ADA import (expected an .npz written by packaging/stylegan2_to_npz.py)");
    if (config.value("architecture", "skip") != "skip")
        throw InputError(file + ": synthesis architecture '" + config.value("architecture", "") +
                         "' is not supported; dermgan renders 'skip' generators");
    nets::NetworkConfig network;
    network.resolution = need("img_resolution").get<int>();
    network.imageChannels = need("img_channels").get<int>();
    network.classCount = need("c_dim").get<int>();
    network.zDim = need("z_dim").get<int>();
    network.wDim = need("w_dim").get<int>();
    network.mappingLayers = need("mapping_layers").get<int>();
    network.mappingLrMultiplier = config.value("mapping_lr_multiplier", 0.01);
    network.wAvgBeta = config.value("w_avg_beta", 0.995);
    network.channelBase = need("channel_base").get<int>();
    network.channelMax = need("channel_max").get<int>();
    network.convClamp = config.contains("conv_clamp") && !config["conv_clamp"].is_null() ? config["conv_clamp"].get<double>() : -1.0;
    if (network.imageChannels != 3)
        throw InputError(file + " makes " + std::to_string(network.imageChannels) + "-channel images; dermgan needs RGB (3)");
    if (!classNames.empty() && static_cast<int>(classNames.size()) != network.classCount)
        throw InputError(file + " has " + std::to_string(network.classCount) + " classes, but " + std::to_string(classNames.size()) +
                         " class names were given");
    for (int k = 0; k < network.classCount; ++k)
        network.classNames.push_back(classNames.empty() ? "class" + std::to_string(k) : classNames[static_cast<std::size_t>(k)]);
    network.validate();
    if (config.contains("num_ws") && config["num_ws"].get<int>() != network.numWs())
        throw InputError(file + ": num_ws " + std::to_string(config["num_ws"].get<int>()) + " does not match a " +
                         std::to_string(network.resolution) + "x" + std::to_string(network.resolution) + " synthesis network");
    return network;
}

GeneratorModel importUnchecked(const std::filesystem::path& npz, const std::vector<std::string>& classNames)
{
    const std::string file = npz.string();
    if (!std::filesystem::exists(npz))
        throw InputError("StyleGAN2-ADA import " + file + " does not exist");
    ZipArchive archive(npz);
    if (!archive.contains(kConfigMember))
        throw InputError(file + " has no __config__; expected an .npz written by packaging/stylegan2_to_npz.py");
    const auto configBytes = parseNpy(archive.read(kConfigMember), "member __config__ of " + file);
    const auto* text = configBytes.data_ptr<std::uint8_t>();
    const auto config = nlohmann::json::parse(text, text + configBytes.numel(), nullptr, false);
    if (config.is_discarded())
        throw InputError(file + ": __config__ is not JSON");

    GeneratorModel model;
    model.training.network = networkOf(config, file, classNames);
    model.training.dataset = "imported: " + config.value("source", npz.filename().string());
    model.training.subset = "unknown";
    model.generator = nets::Generator(model.training.network);
    model.generator->eval();

    std::set<std::string> unused;
    for (const auto& name : archive.names())
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 && name.rfind("__", 0) != 0)
            unused.insert(name.substr(0, name.size() - 4));
    torch::NoGradGuard noGrad;
    auto copyInto = [&](const std::string& name, torch::Tensor& target) {
        if (!unused.erase(name))
            throw InputError(file + " lacks tensor '" + name + "'; is it a StyleGAN2-ADA G_ema of this architecture?");
        const auto value = parseNpy(archive.read(name + ".npy"), "tensor " + name + " of " + file).to(torch::kFloat32);
        if (value.sizes() != target.sizes())
            throw InputError(file + ": tensor '" + name + "' has shape " + c10::str(value.sizes()) + "; the architecture needs " +
                             c10::str(target.sizes()));
        target.copy_(value);
    };
    for (auto& item : model.generator->named_parameters())
        copyInto(item.key(), item.value());
    for (auto& item : model.generator->named_buffers())
        copyInto(item.key(), item.value());
    if (!unused.empty())
        throw InputError(file + " has tensor '" + *unused.begin() + "' that dermgan's generator does not have (" +
                         std::to_string(unused.size()) + " unused); the architectures differ");
    model.path = npz;
    model.hash = moduleHash(*model.generator);
    model.progress = {{"imported_from", config.value("source", "")}};
    return model;
}

} // namespace

GeneratorModel importStyleGan2(const std::filesystem::path& npz, const std::vector<std::string>& classNames)
{
    return readingFile(npz, "an .npz written by packaging/stylegan2_to_npz.py",
                       [&] { return importUnchecked(npz, classNames); });
}

} // namespace dermgan
