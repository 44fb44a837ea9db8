#pragma once
// Loading a TorchScript file a user points to (`--extractor FILE.pt`, `--perceptual vgg16.pt`): its ZIP
// members are checked first (LibTorch checks no CRC), and every failure, TorchScript's compile errors
// included, is one InputError line naming the file.
#include <filesystem>
#include <string>

#include <c10/core/Device.h>
#include <torch/csrc/jit/api/module.h>

namespace dermgan {

// `what` names the file's role in errors, e.g. "feature network".
torch::jit::Module loadTorchScriptFile(const std::filesystem::path& file, const c10::Device& device, const std::string& what);

} // namespace dermgan
