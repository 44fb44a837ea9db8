#pragma once
// Centralized StyleGAN2-ADA training: G, D and G_ema on one device, Adam with lazy regularisation,
// ADA, a stats line per tick (stats.jsonl), snapshots and sample grids in the output folder, and exact
// resumption from any snapshot. The federated trainer reuses the same steps.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "nets/discriminator.h"
#include "nets/generator.h"
#include "train/training_config.h"

namespace dermgan::train {

struct TrainingData {
    torch::Tensor pixels;         // uint8 [N, 3, R, R]
    std::vector<int64_t> labels;  // per image; -1 when unlabelled
};

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

    // Writes the full state (atomically) to `path`.
    void saveSnapshot(const std::filesystem::path& path) const;
    // Restores the full state written by saveSnapshot (same architecture and dataset size required).
    void resume(const std::filesystem::path& path);

    const TrainingConfig& config() const;
    int64_t imagesShown() const;  // nimg
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
