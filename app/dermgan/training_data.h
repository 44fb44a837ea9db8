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

// Decodes every training image (through the cache), also for --dry-run, which validates everything a run
// reads. Also fills config.network's classes.
PreparedData prepareTrainingData(train::TrainingConfig& config, bool conditional, const ReadOptions& readOptions,
                                 const ProgressCallback& progress);

} // namespace dermgan::cli
