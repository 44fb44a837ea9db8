#pragma once
// The picture a training run leaves beside each snapshot (fakes*.png in the reference's run folders).
#include <cstdint>
#include <filesystem>

#include "nets/generator.h"

namespace dermgan::train {

// Writes an 8-column PNG of G's images (truncation psi 1, constant noise): one row per class with seeds
// 0-7 for a conditional G, seeds 0-63 in 8 rows for an unconditional one. Tagged synthetic, with `kimg`.
// Runs on G's device in chunks of 16, so memory stays bounded at 256x256. Throws IoError on a write failure.
void writeSampleGrid(nets::Generator& G, const std::filesystem::path& path, int64_t kimg);

} // namespace dermgan::train
