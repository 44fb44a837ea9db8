#include "data/subset_loader.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"

namespace dermgan {

bool parseSubsetName(const std::string& name, Subset& subset)
{
    if (name == "all")
        return false;
    for (Subset s : {Subset::Train, Subset::Val, Subset::Test})
        if (subsetName(s) == name) {
            subset = s;
            return true;
        }
    throw InputError("subset '" + name + "' is not known; expected train, val, test or all");
}

SubsetImages selectSubset(const SubsetRequest& request)
{
    Subset subset = Subset::Train;
    const bool oneSubset = parseSubsetName(request.subset, subset);
    SubsetImages result;
    result.index = openDataset(request.dataset, request.read);
    const DatasetIndex& index = result.index;
    result.split = assignSplits(index, {}, {}, request.splitSeed);
    if (request.institution >= static_cast<int>(result.split.institutionCount))
        throw InputError("institution " + std::to_string(request.institution) + " does not exist; expected 0 to " +
                         std::to_string(result.split.institutionCount - 1));
    for (std::size_t row = 0; row < index.records.size(); ++row) {
        if (oneSubset && result.split.subset[row] != subset)
            continue;
        if (request.institution >= 0 && result.split.institution[row] != request.institution)
            continue;
        result.rows.push_back(row);
        result.labels.push_back(index.records[row].label);
    }
    if (result.rows.empty())
        throw InputError("no images in " + request.dataset.string() + " for subset '" + request.subset + "'" +
                         (request.institution >= 0 ? " and institution " + std::to_string(request.institution) : ""));
    return result;
}

void decodeSubset(SubsetImages& subset, const SubsetRequest& request)
{
    const DatasetIndex& index = subset.index;
    ImageLoadOptions options;
    options.resolution = request.resolution;
    options.skipBad = request.read.skipBad;
    options.progress = request.progress;
    const LoadedImages images = loadImages(index, options);
    // Keep the decoded images of the chosen rows (corrupt ones may have been skipped).
    std::vector<int64_t> position(index.records.size(), -1);
    for (std::size_t i = 0; i < images.recordIndex.size(); ++i)
        position[images.recordIndex[i]] = static_cast<int64_t>(i);
    std::vector<int64_t> keep;
    std::vector<std::size_t> rows;
    std::vector<int> labels;
    for (std::size_t row : subset.rows)
        if (position[row] >= 0) {
            keep.push_back(position[row]);
            rows.push_back(row);
            labels.push_back(index.records[row].label);
        }
    if (keep.empty())
        throw InputError("every image of subset '" + request.subset + "' in " + request.dataset.string() + " was skipped as unreadable");
    subset.rows = std::move(rows);
    subset.labels = std::move(labels);
    subset.pixels = images.pixels.index_select(0, torch::tensor(keep));
}

SubsetImages loadSubset(const SubsetRequest& request)
{
    SubsetImages subset = selectSubset(request);
    decodeSubset(subset, request);
    return subset;
}

} // namespace dermgan
