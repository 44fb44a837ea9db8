#pragma once
// Generators as files: a .dermgan export (format, version, config, progress and G_ema; the layout is in
// model/snapshot_layout.h) or a training snapshot, which holds the same entries and more
// (model/training_snapshot.h). Files are written atomically; a truncated, foreign or newer file is refused
// with one line saying so.
#include <filesystem>
#include <string>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include "model/training_config.h"
#include "nets/generator.h"

namespace dermgan {

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

// A .dermgan snapshot or export, or a StyleGAN2-ADA .npz import (model/stylegan2_import.h).
GeneratorModel loadGeneratorModel(const std::filesystem::path& path, const c10::Device& device);
// Writes format, version, config, progress and G_ema only: the file to bundle and share.
void exportGenerator(const GeneratorModel& model, const std::filesystem::path& destination);

} // namespace dermgan
