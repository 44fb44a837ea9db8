#pragma once
// Federated averaging of a GAN across institutions (the study's decentralized setting): every site trains
// G, D and G_ema on its own images for a fixed number of local kimg per round, then all sites replace them
// by the average weighted by their sample counts (or uniformly). No image leaves a site; only weights do.
//
// Decisions (README, "Federated training"):
//  - Shared and averaged: every floating parameter and buffer of G, D and G_ema (w_avg included).
//  - Local: Adam moments (they describe the site's own loss surface; averaging them is not FedAvg and
//    resetting them each round slows training) and ADA's p (the smallest site overfits first and needs
//    more augmentation than the largest).
//  - Each site keeps its own random streams: same initial weights (rank 0's, broadcast), different batches.
//
// Output: <root>/site-<k>/ holds a site's stats.jsonl, rounds.jsonl and round snapshots (round-NNNNNN.dermgan,
// latest.dermgan); rank 0 also writes <root>/rounds.jsonl (all sites, per round), <root>/latest.dermgan (the
// global model) and sample grids. A run resumes from the last round that every site completed.
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "distributed/aggregator.h"
#include "distributed/private_update.h"
#include "train/trainer.h"

namespace dermgan::distributed {

struct FederatedOptions {
    int rounds = 10;
    double roundKimg = 1.0;              // local kimg per site and round
    std::string weighting = "samples";   // "samples" (FedAvg) or "uniform"
    PrivateUpdateOptions privacy;        // clip = 0: off
    bool keepLocal = false;              // also keep every site's pre-aggregation weights (audits, tests)
    int keepEveryRounds = 5;             // round snapshots kept besides the last two (0 = only the last two)

    // Throws InputError naming the first bad option and what it expects.
    void validate() const;
};

void to_json(nlohmann::json& json, const FederatedOptions& options);
void from_json(const nlohmann::json& json, FederatedOptions& options);

// What every site must agree on: the network and training recipe and the federated options, not its own
// data path, institution, output folder, threads or device.
std::string federationHash(const train::TrainingConfig& config, const FederatedOptions& options);

// Called with rank 0's global line for each completed round (other ranks get their own site line).
using RoundCallback = std::function<void(const nlohmann::json& round)>;

class FederatedRun {
public:
    // `trainer` trains this site's data; its config's outDir is the site folder (root/site-<rank>).
    FederatedRun(train::Trainer& trainer, Aggregator& group, FederatedOptions options, std::filesystem::path root);

    // Checks that all sites run the same configuration, then either gives every site rank 0's initial
    // weights or (resume) agrees on the last round all sites completed and loads it. Throws PeerError.
    void start(bool resume);
    // Runs the remaining rounds. Returns false when `stopRequested` said yes (nothing of the unfinished
    // round is kept). Throws PeerError when another site fails; the last completed round stays on disk.
    bool run(const train::TickCallback& onTick, const RoundCallback& onRound, const std::function<bool()>& stopRequested);

    int completedRounds() const { return round_; }

private:
    nlohmann::json federationEntry() const;
    // "site 2 had not reached ...; " for the sites that did not publish `key`, or empty.
    std::string missingSites(const std::string& key) const;
    void saveRound();
    void pruneRounds() const;
    std::filesystem::path roundSnapshot(int round) const;

    train::Trainer& trainer_;
    Aggregator& group_;
    FederatedOptions options_;
    std::filesystem::path root_;
    std::filesystem::path siteDir_;
    std::string hash_;
    int round_ = 0;
    std::vector<torch::Tensor> roundStart_;  // the global weights the current round started from (privacy)
};

// Every floating parameter and buffer of G, D and G_ema, in a fixed order: what sites share.
std::vector<torch::Tensor> sharedTensors(train::Trainer& trainer);

} // namespace dermgan::distributed
