#pragma once
// Turns a dataset folder and a training config into the pixels and labels a Trainer needs: opens the
// dataset, keeps the configured split subset (lesion-grouped) and institution, decodes through the cache.
#include "common/progress.h"
#include "data/dataset.h"
#include "train/trainer.h"

namespace dermgan::cli {

struct PreparedData {
    DatasetIndex index;
    std::vector<std::size_t> rows;  // the DatasetIndex rows used for training
    train::TrainingData data;
};

// Without `decode`, only the index and the rows (for --dry-run). Also fills config.network's classes.
PreparedData prepareTrainingData(train::TrainingConfig& config, bool conditional, const ReadOptions& readOptions,
                                 bool decode, const ProgressCallback& progress);

} // namespace dermgan::cli
