#pragma once
// Centralized StyleGAN2-ADA training: G, D and G_ema on one device, Adam with lazy regularisation,
// ADA, a stats line per tick (stats.jsonl), snapshots and sample grids in the output folder, and exact
// resumption from any snapshot. Federated and data-parallel training (core/distributed) drive the same
// steps through runUntil and the gradient hook.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "data/labelled_pixels.h"
#include "nets/discriminator.h"
#include "nets/generator.h"
#include "model/training_config.h"
#include "train/data_parallel.h"

namespace dermgan::train {

// uint8 [N, 3, R, R] pixels, a label per image (-1 everywhere for an unconditional run).
using TrainingData = LabelledPixels;

// Called after every tick with its stats line; return false to stop (a snapshot is written first).
using TickCallback = std::function<bool(const nlohmann::json& stats)>;

class Trainer {
public:
    Trainer(TrainingConfig config, TrainingData data);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // One iteration: G main (+ path length), D main (+ lazy R1), G_ema, ADA.
    void step();
    // Trains until config().kimg; writes into config().outDir. Returns true when it reached the end.
    // `stopRequested` is asked after every step: when it says yes, the tick ends early (its stats line is
    // written and onTick called) so that a stop takes one step, not a whole tick.
    bool run(const TickCallback& onTick = {}, const std::function<bool()>& stopRequested = {});
    // Trains until `endNimg` images were shown (ticks as run); with `writeSnapshots` false, snapshots are
    // left to the caller (federated rounds snapshot after aggregation, not mid-round). Returns false when stopped.
    bool runUntil(int64_t endNimg, const TickCallback& onTick, const std::function<bool()>& stopRequested,
                  bool writeSnapshots);

    // Writes the full state (atomically) to `path` (and `latest.dermgan` when `path` is in the output
    // folder), plus `copies`. A non-null `federation` is stored as the snapshot's "federation" entry.
    void saveSnapshot(const std::filesystem::path& path, const nlohmann::json& federation = nullptr,
                      const std::vector<std::filesystem::path>& copies = {}) const;
    // Restores the full state written by saveSnapshot (same architecture and dataset size required).
    void resume(const std::filesystem::path& path);

    // A PNG grid of G_ema's images for fixed seeds (one row per class when conditional).
    void writeSampleGrid(const std::filesystem::path& path);
    // Gives latents, real sampling and flips a new stream (per site or rank: the same init everywhere,
    // different batches).
    void reseed(std::uint64_t seed);
    void enableDataParallel(DataParallel parallel);

    const TrainingConfig& config() const;
    int64_t imagesShown() const;  // nimg
    std::size_t trainingImages() const;
    int64_t steps() const;
    double augmentP() const;
    nets::Generator& generator();
    nets::Generator& generatorEma();
    nets::Discriminator& discriminator();
    c10::Device device() const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

// The latest snapshot in a training folder (latest.dermgan), or empty when there is none.
std::filesystem::path latestSnapshot(const std::filesystem::path& outDir);

} // namespace dermgan::train
