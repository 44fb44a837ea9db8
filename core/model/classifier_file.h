#pragma once
// The classifier file (".dermnet"): format "dermgan-classifier", version, config (architecture, input
// resolution, class names), card (what it was trained on and how well it does: JSON) and the weights.
// The bundled models/derm-classifier-v2.dermnet (and version 1, derm-classifier.dermnet) are such files;
// `dermgan classify --save` writes others.
#include <filesystem>
#include <string>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include "nets/lesion_classifier.h"

namespace dermgan::metrics {

struct ClassifierModel {
    nets::LesionClassifier network{nullptr};  // eval mode, on `device`
    nlohmann::json card;
    std::filesystem::path path;
    std::string hash;
    c10::Device device = c10::kCPU;
};

void saveClassifier(nets::LesionClassifier& network, const nlohmann::json& card, const std::filesystem::path& path);
// InputError for a missing, truncated, foreign or mismatched file.
ClassifierModel loadClassifier(const std::filesystem::path& path, const c10::Device& device);

} // namespace dermgan::metrics
