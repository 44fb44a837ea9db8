#include "training_data.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"
#include "data/splits.h"

namespace dermgan::cli {

PreparedData prepareTrainingData(train::TrainingConfig& config, bool conditional, const ReadOptions& readOptions,
                                 bool decode, const ProgressCallback& progress)
{
    PreparedData prepared;
    prepared.index = openDataset(config.dataset, readOptions);
    const DatasetIndex& index = prepared.index;
    if (conditional && !index.labelled())
        throw InputError("dataset " + config.dataset + " has no classes; a conditional model needs labels "
                         "(or train with --cond off)");
    config.network.classCount = conditional ? static_cast<int>(index.classNames.size()) : 0;
    config.network.classNames = conditional ? index.classNames : std::vector<std::string>{};

    const SplitAssignment split = assignSplits(index, {}, {}, config.splitSeed);
    if (config.institution >= static_cast<int>(split.institutionCount))
        throw InputError("institution " + std::to_string(config.institution) + " does not exist; expected 0 to " +
                         std::to_string(split.institutionCount - 1));
    for (std::size_t row = 0; row < index.records.size(); ++row) {
        if (config.subset == "train" && split.subset[row] != Subset::Train)
            continue;
        if (config.institution >= 0 && split.institution[row] != config.institution)
            continue;
        prepared.rows.push_back(row);
    }
    if (prepared.rows.empty())
        throw InputError("no training images in " + config.dataset + " for subset '" + config.subset + "'" +
                         (config.institution >= 0 ? " and institution " + std::to_string(config.institution) : ""));
    if (!decode)
        return prepared;

    ImageLoadOptions options;
    options.resolution = config.network.resolution;
    options.skipBad = readOptions.skipBad;
    options.progress = progress;
    const LoadedImages images = loadImages(index, options);
    // Keep the decoded images that belong to the chosen rows (corrupt ones may have been skipped).
    std::vector<int64_t> position(index.records.size(), -1);
    for (std::size_t i = 0; i < images.recordIndex.size(); ++i)
        position[images.recordIndex[i]] = static_cast<int64_t>(i);
    std::vector<int64_t> keep;
    std::vector<std::size_t> rows;
    for (std::size_t row : prepared.rows)
        if (position[row] >= 0) {
            keep.push_back(position[row]);
            rows.push_back(row);
            prepared.data.labels.push_back(conditional ? index.records[row].label : -1);
        }
    prepared.rows = rows;
    prepared.data.pixels = images.pixels.index_select(0, torch::tensor(keep));
    return prepared;
}

} // namespace dermgan::cli
