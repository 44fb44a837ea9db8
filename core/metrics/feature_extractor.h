#pragma once
// Embeddings for the distribution metrics. Two kinds:
// - "derm": the project's own dermatology network (models/derm-classifier-v2.dermnet, or any .dermnet file),
//   its pooled penultimate features. Metrics with it are named FID-derm, KID-derm, ...
// - a TorchScript file the user supplies, e.g. the StyleGAN2-ADA metrics' inception-2015-12-05.pt
//   (standard FID/KID/PR then): called as module(images_uint8_NCHW, return_features=True), and as
//   module(images_uint8_NCHW) when it takes no such argument. Named after the file ("inception" when the
//   file name starts with it): FID-inception.
#include <filesystem>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "common/progress.h"

namespace dermgan::metrics {

class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;
    // Short name used in metric names: "derm", "inception", ...
    virtual std::string name() const = 0;
    // Identifies the exact weights (for caches and reports).
    virtual std::string hash() const = 0;
    virtual std::filesystem::path path() const = 0;
    // uint8 [N, 3, R, R] -> float [N, D] on the CPU.
    torch::Tensor extract(const torch::Tensor& pixels, const ProgressCallback& progress = {}, int batch = 128);

protected:
    virtual torch::Tensor extractBatch(const torch::Tensor& pixels) = 0;
};

// The file name of the bundled derm network that "derm" names, in the models folder. Reports record the file
// and its hash, so a report made with an earlier network names it and reproduces with --extractor FILE.
const char* bundledDermNetworkFile();

// Where the bundled derm network lives: $DERMGAN_MODELS_DIR, the source tree's models/ (a build), or the
// installed share/dermgan/models.
std::filesystem::path bundledModelPath(const std::string& fileName);

// `spec`: "derm" (the bundled network), a .dermnet file, or a TorchScript .pt file.
// InputError when the file is missing or unusable.
std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec, const c10::Device& device);

} // namespace dermgan::metrics
