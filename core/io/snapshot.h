#pragma once
// The snapshot file: one self-describing archive (LibTorch's serialize format, a ZIP container) with
//   format = "dermgan-snapshot", version, config (training config JSON, network included),
//   progress (JSON: kimg, step, augment p, ...), G_ema, G, D, opt_G, opt_D, rng/torch, rng/sampler.
// Generator-only exports carry format, version, config, progress and G_ema. Files are written atomically;
// a truncated or foreign file is refused with one line saying so.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "io/tagged_archive.h"
#include "nets/generator.h"
#include "train/training_config.h"

namespace dermgan {

constexpr const char* kSnapshotFormat = "dermgan-snapshot";
constexpr int kSnapshotVersion = 1;

// Starts an archive with the format, version and config entries.
void writeSnapshotHeader(torch::serialize::OutputArchive& archive, const train::TrainingConfig& config);

// Opens and checks format and version. Throws InputError for a missing, truncated or foreign file.
torch::serialize::InputArchive openSnapshot(const std::filesystem::path& path);

// A generator ready for inference, as the CLI, explorer, metrics and projector use it.
struct GeneratorModel {
    nets::Generator generator{nullptr};  // G_ema, in eval mode, on `device`
    train::TrainingConfig training;
    nlohmann::json progress = nlohmann::json::object();  // an object even when a file stored none
    std::filesystem::path path;
    std::string hash;  // of the weights: ties directions, latents and exported images to this model
    c10::Device device = c10::kCPU;

    const nets::NetworkConfig& network() const { return generator->config; }
};

// A .dermgan snapshot or export, or a StyleGAN2-ADA .npz import (io/stylegan2_import.h).
GeneratorModel loadGeneratorModel(const std::filesystem::path& path, const c10::Device& device);
// Writes format, version, config, progress and G_ema only: the file to bundle and share.
void exportGenerator(const GeneratorModel& model, const std::filesystem::path& destination);

} // namespace dermgan
