#pragma once
// The .dermgan archive's layout, private to core/model: the only place that names its entries. Exports
// (model/snapshot.h) hold the first five entries; training snapshots (model/training_snapshot.h) all of them.
//
//   format      "dermgan-snapshot"            version   1 (the layout below)
//   config      TrainingConfig as JSON (the network's config inside)
//   progress    JSON: kimg, nimg, step, tick, augment_p, ...
//   G_ema       the generator to use (LibTorch module archive)
//   federation  JSON, federated rounds only: the round it closed
//   G, D        the networks being trained
//   opt_G, opt_D  Adam state
//   rng/torch   LibTorch's default CPU generator; rng/sampler, rng/flip: the real sampler's and mirror streams
//
// Readers open a file with openSnapshot, which refuses newer versions (and versions below 1), and dispatch
// on the version it returns; a new layout gets a new version number here and a branch in each reader.
#include <filesystem>

#include <torch/serialize/output-archive.h>

#include "io/tagged_archive.h"
#include "model/training_config.h"

namespace dermgan::snapshot_layout {

constexpr const char* kFormat = "dermgan-snapshot";
constexpr int kVersion = 1;  // written; the newest version this dermgan reads

namespace entry {
constexpr const char* kConfig = "config";
constexpr const char* kProgress = "progress";
constexpr const char* kGeneratorEma = "G_ema";
constexpr const char* kFederation = "federation";
constexpr const char* kGenerator = "G";
constexpr const char* kDiscriminator = "D";
constexpr const char* kOptimiserG = "opt_G";
constexpr const char* kOptimiserD = "opt_D";
constexpr const char* kTorchRng = "rng/torch";
constexpr const char* kSamplerRng = "rng/sampler";
constexpr const char* kFlipRng = "rng/flip";
} // namespace entry

// Starts an archive with the format, version and config entries.
void writeHeader(torch::serialize::OutputArchive& archive, const train::TrainingConfig& config);

// Opens and checks format and version. InputError (one line) for a missing, damaged, foreign or newer file.
TaggedArchive openSnapshot(const std::filesystem::path& path);

} // namespace dermgan::snapshot_layout
