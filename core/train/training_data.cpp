#include "train/training_data.h"

#include "common/errors.h"
#include "data/subset_loader.h"

namespace dermgan::train {

PreparedData prepareTrainingData(TrainingConfig& config, bool conditional, const ReadOptions& readOptions,
                                 const ProgressCallback& progress)
{
    if (config.subset != "train" && config.subset != "all")
        throw InputError("training subset '" + config.subset + "' is not known; expected train or all");
    SubsetRequest request;
    request.dataset = config.dataset;
    request.subset = config.subset;
    request.institution = config.institution;
    request.splitSeed = config.splitSeed;
    request.resolution = config.network.resolution;
    request.read = readOptions;
    request.progress = progress;
    // Class names come from the index alone: check them before decoding anything.
    SubsetImages subset = selectSubset(request);
    if (conditional && !subset.index.labelled())
        throw InputError("dataset " + config.dataset + " has no classes; a conditional model needs labels "
                         "(or train with --cond off)");
    config.network.classCount = conditional ? static_cast<int>(subset.index.classNames.size()) : 0;
    config.network.classNames = conditional ? subset.index.classNames : std::vector<std::string>{};
    decodeSubset(subset, request);

    PreparedData prepared;
    prepared.index = std::move(subset.index);
    prepared.rows = std::move(subset.rows);
    prepared.data.pixels = subset.pixels;
    for (int label : subset.labels)
        prepared.data.labels.push_back(conditional ? label : -1);
    return prepared;
}

} // namespace dermgan::train
