#pragma once
// Training snapshots (snapshot-*.dermgan, latest.dermgan): everything an export holds plus what an exact
// resume needs, i.e. G, D, both Adam optimisers and the random streams, and for federated runs the round
// the snapshot closed. train::Trainer writes and resumes them; `train --resume` and the federated sites read
// their config, progress and round. The entries are named in model/snapshot_layout.h only.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "io/tagged_archive.h"
#include "model/training_config.h"

namespace dermgan {

// The "progress" entry: where a run stands, enough to continue it exactly. Stored as JSON with the keys
// below (snake_case) plus "kimg" (= nimg / 1000) for readers that only want the length.
struct TrainingProgress {
    int64_t nimg = 0;                // real images shown to D
    int64_t step = 0;                // G + D iterations
    int64_t tick = 0;
    double augmentP = 0.0;           // ADA p
    double adaPendingSignSum = 0.0;  // ADA's statistics since its last adjustment
    int64_t adaPendingCount = 0;
    int adaPendingSteps = 0;
    double adaLastSignMean = 0.0;
    double plMean = 0.0;             // path-length regularisation's running mean
    double wallSeconds = 0.0;        // training time over all sessions of the run
    std::size_t images = 0;          // training images of the run: a resume refuses another count
    std::string runtime;             // device and library description of the last session
    // Training images per class of this process's data (a conditional run; empty when unconditional and in
    // files written before 2026-12-03): what a viewer opens on first, the commonest class.
    std::vector<std::size_t> classImages;

    double kimg() const { return static_cast<double>(nimg) / 1000.0; }
};
void to_json(nlohmann::json& json, const TrainingProgress& progress);
// nimg, step, tick and augment_p are required (nlohmann's exception otherwise); the rest default to 0.
void from_json(const nlohmann::json& json, TrainingProgress& progress);

// What a trainer hands over to be written. Networks and optimiser state are stored as they are (device
// included); the random streams as the trainer serialised them. The references must outlive the write.
struct TrainingSnapshotContents {
    train::TrainingConfig config;
    TrainingProgress progress;
    nlohmann::json federation;          // null unless federated: stored as its own entry
    torch::nn::Module& generatorEma;    // G_ema
    torch::nn::Module& generator;       // G
    torch::nn::Module& discriminator;   // D
    torch::optim::Optimizer& optimiserG;
    torch::optim::Optimizer& optimiserD;
    torch::Tensor torchRngState;        // LibTorch's default CPU generator (get_state())
    std::string samplerState;           // the real-image sampler's stream
    std::string flipState;              // the mirror flips' stream
};

// Serialises once and writes each destination atomically. InputError when a destination cannot be written.
void writeTrainingSnapshot(const TrainingSnapshotContents& contents, const std::vector<std::filesystem::path>& destinations);

// The random streams of a snapshot, in the form TrainingSnapshotContents took them.
struct TrainingRngStates {
    torch::Tensor torchRngState;
    std::string samplerState;
    std::string flipState;
};

// An opened training snapshot (or export, for the entries both have). Every accessor throws one-line
// InputErrors that name the file.
class TrainingSnapshotReader {
public:
    // InputError for a missing, damaged, foreign or newer file.
    explicit TrainingSnapshotReader(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return path_; }
    train::TrainingConfig config();
    // InputError when the file has no training progress (an export, or an import's).
    TrainingProgress progress();
    // The length trained, 0 when the file does not say (an import): for summaries, never for resuming.
    double kimg();
    // The "federation" entry, or null when the run was not federated.
    nlohmann::json federation();
    // G_ema, G and D; InputError when they do not fit the modules' architecture.
    void loadNetworks(torch::nn::Module& generatorEma, torch::nn::Module& generator, torch::nn::Module& discriminator);
    // Both optimisers' state and the random streams; InputError for a generator-only export.
    TrainingRngStates loadOptimisersAndRng(torch::optim::Optimizer& optimiserG, torch::optim::Optimizer& optimiserD);

private:
    std::filesystem::path path_;
    TaggedArchive opened_;
};

} // namespace dermgan
