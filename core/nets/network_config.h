#pragma once
// Architecture hyper-parameters of the generator and discriminator, stored inside every snapshot so a
// file describes itself. Names follow the reference StyleGAN2-ADA constructor arguments.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dermgan::nets {

struct NetworkConfig {
    int resolution = 64;        // img_resolution
    int imageChannels = 3;      // img_channels
    int classCount = 0;         // c_dim: 0 = unconditional
    int zDim = 256;
    int wDim = 256;
    int mappingLayers = 2;      // the reference 'auto' config uses 2
    double mappingLrMultiplier = 0.01;
    double wAvgBeta = 0.995;
    int channelBase = 1024;     // channels at resolution r: min(channelBase / r, channelMax)
    int channelMax = 256;
    double convClamp = -1.0;    // < 0: no clamp (the reference clamps at 256 only with fp16 layers)
    int mbstdGroupSize = 4;
    int mbstdChannels = 1;
    int discriminatorMappingLayers = 8;  // the conditioning mapping inside D
    std::vector<std::string> classNames;

    int channelsAt(int res) const;
    // The synthesis network's number of per-layer w vectors: 2 * log2(resolution) - 2.
    int numWs() const;
    bool conditional() const { return classCount > 0; }
    // Throws InputError when a value is out of range (names the field and the expected range).
    void validate() const;

    // The CPU-friendly default for 64x64 (about 1.5M generator parameters) and the study's GPU setting
    // (256x256, channel base 16384 as the reference 'auto' config).
    static NetworkConfig cpuDefault(int resolution = 64);
    static NetworkConfig gpuDefault(int resolution = 256);
};

void to_json(nlohmann::json& json, const NetworkConfig& config);
void from_json(const nlohmann::json& json, NetworkConfig& config);

} // namespace dermgan::nets
