#include "nets/network_config.h"

#include <algorithm>

#include "common/errors.h"
#include "common/resolution.h"

namespace dermgan::nets {

int NetworkConfig::channelsAt(int res) const
{
    return std::min(channelBase / res, channelMax);
}

int NetworkConfig::numWs() const
{
    int log2 = 0;
    while ((1 << log2) < resolution)
        ++log2;
    return 2 * log2 - 2;
}

void NetworkConfig::validate() const
{
    requireSupportedResolution(resolution, "network resolution");
    auto require = [](bool ok, const std::string& what) {
        if (!ok)
            throw InputError(what);
    };
    require(imageChannels == 3 || imageChannels == 1, "image channels is " + std::to_string(imageChannels) + "; expected 1 or 3");
    require(classCount >= 0 && classCount <= 1000, "class count is " + std::to_string(classCount) + "; expected 0 to 1000");
    require(zDim >= 1 && zDim <= 4096, "z_dim is " + std::to_string(zDim) + "; expected 1 to 4096");
    require(wDim >= 1 && wDim <= 4096, "w_dim is " + std::to_string(wDim) + "; expected 1 to 4096");
    require(mappingLayers >= 1 && mappingLayers <= 16, "mapping layers is " + std::to_string(mappingLayers) + "; expected 1 to 16");
    require(channelMax >= 1 && channelBase >= resolution,
            "channel base " + std::to_string(channelBase) + " / max " + std::to_string(channelMax) +
                " leave layers without channels; expected channel base >= resolution and channel max >= 1");
    require(mbstdGroupSize >= 1, "minibatch-stddev group size must be at least 1");
    require(classNames.empty() || static_cast<int>(classNames.size()) == classCount,
            std::to_string(classNames.size()) + " class names for " + std::to_string(classCount) + " classes");
}

NetworkConfig NetworkConfig::cpuDefault(int resolution)
{
    NetworkConfig config;
    config.resolution = resolution;
    return config;
}

NetworkConfig NetworkConfig::gpuDefault(int resolution)
{
    NetworkConfig config;
    config.resolution = resolution;
    config.zDim = 512;
    config.wDim = 512;
    config.channelBase = 16384;
    config.channelMax = 512;
    return config;
}

void to_json(nlohmann::json& json, const NetworkConfig& c)
{
    json = {{"img_resolution", c.resolution},      {"img_channels", c.imageChannels},
            {"c_dim", c.classCount},               {"z_dim", c.zDim},
            {"w_dim", c.wDim},                     {"mapping_layers", c.mappingLayers},
            {"mapping_lr_multiplier", c.mappingLrMultiplier}, {"w_avg_beta", c.wAvgBeta},
            {"channel_base", c.channelBase},       {"channel_max", c.channelMax},
            {"conv_clamp", c.convClamp},           {"mbstd_group_size", c.mbstdGroupSize},
            {"mbstd_num_channels", c.mbstdChannels}, {"d_mapping_layers", c.discriminatorMappingLayers},
            {"class_names", c.classNames}};
}

void from_json(const nlohmann::json& json, NetworkConfig& c)
{
    c.resolution = json.at("img_resolution").get<int>();
    c.imageChannels = json.value("img_channels", 3);
    c.classCount = json.value("c_dim", 0);
    c.zDim = json.at("z_dim").get<int>();
    c.wDim = json.at("w_dim").get<int>();
    c.mappingLayers = json.value("mapping_layers", 2);
    c.mappingLrMultiplier = json.value("mapping_lr_multiplier", 0.01);
    c.wAvgBeta = json.value("w_avg_beta", 0.995);
    c.channelBase = json.at("channel_base").get<int>();
    c.channelMax = json.at("channel_max").get<int>();
    c.convClamp = json.value("conv_clamp", -1.0);
    c.mbstdGroupSize = json.value("mbstd_group_size", 4);
    c.mbstdChannels = json.value("mbstd_num_channels", 1);
    c.discriminatorMappingLayers = json.value("d_mapping_layers", 8);
    c.classNames = json.value("class_names", std::vector<std::string>{});
}

} // namespace dermgan::nets
