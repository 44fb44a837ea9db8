#pragma once
// Generators trained with the reference StyleGAN2-ADA (PyTorch) code, brought in through the neutral .npz
// that packaging/stylegan2_to_npz.py writes from a network pickle: the architecture (`__config__`, JSON) and
// every tensor of G_ema under its reference name. dermgan's generator uses the same names, so the import is
// a checked copy: every tensor must exist on both sides with the same shape, or the file is refused.
#include <filesystem>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace dermgan {

constexpr const char* kStyleGan2ImportFormat = "dermgan-stylegan2-import";

// The generator of `npz` on the CPU, in eval mode. `classNames` label a conditional network's classes
// (the pickle has none): empty gives class0, class1, ...; otherwise exactly c_dim names. InputError (one
// line) for a missing or foreign file, an unsupported architecture, or a tensor missing, extra or of another shape.
GeneratorModel importStyleGan2(const std::filesystem::path& npz, const std::vector<std::string>& classNames = {});

} // namespace dermgan
