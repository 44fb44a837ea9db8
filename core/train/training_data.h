#pragma once
// From a dataset folder and a training config to the pixels and labels a Trainer needs: opens the dataset,
// keeps the configured split subset (lesion-grouped) and institution, decodes through the pixel cache. The
// CLI's `train` uses it; anything else that starts a run can too.
#include <vector>

#include "common/progress.h"
#include "data/dataset.h"
#include "model/training_config.h"
#include "train/trainer.h"

namespace dermgan::train {

struct PreparedData {
    DatasetIndex index;
    std::vector<std::size_t> rows;  // the DatasetIndex rows used for training
    TrainingData data;
};

// Decodes every training image (through the cache), also for a dry run, which validates everything a run
// reads, and fills config.network's classes (none when `conditional` is false). InputError for an unknown
// subset, a conditional model on an unlabelled dataset, and whatever reading the dataset refuses.
PreparedData prepareTrainingData(TrainingConfig& config, bool conditional, const ReadOptions& readOptions,
                                 const ProgressCallback& progress);

} // namespace dermgan::train
