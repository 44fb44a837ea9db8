#pragma once
// `dermgan train --federated` (one institution of a FedAvg federation) and `dermgan train --data-parallel`
// (one process of a data-parallel run): the options, the per-site output folder, and the run itself.
#include <CLI/CLI.hpp>

#include "distributed/aggregator.h"
#include "distributed/federated_training.h"
#include "train/trainer.h"

namespace dermgan::cli {

struct DistributedArgs {
    bool federated = false;
    bool dataParallel = false;
    distributed::Rendezvous rendezvous;
    int timeoutSeconds = 1800;
    distributed::FederatedOptions federation;

    bool active() const { return federated || dataParallel; }
};

void addDistributedOptions(CLI::App& command, DistributedArgs& args);

// Checks the combination and turns --out into this process's own folder (root/site-<rank>, or
// root/rank-<k> for data-parallel ranks other than 0). Call before the configuration is resolved.
void prepareDistributedOutput(DistributedArgs& args, train::TrainingConfig& config, const CLI::App& command);

// The federated options stored in a site's snapshot (a resumed federation keeps them; --rounds may grow).
void restoreFederatedOptions(DistributedArgs& args, const std::filesystem::path& snapshot, const CLI::App& command);

// Joins the group and trains. Returns the process exit code.
int runDistributed(DistributedArgs& args, train::Trainer& trainer, bool resume, bool json);

} // namespace dermgan::cli
