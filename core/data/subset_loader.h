#pragma once
// The images of one lesion-grouped subset (train / val / test / all) of a dataset, optionally of one
// institution, decoded at one resolution through the image cache. Training, the classifier studies, the
// metrics and the projector all read real images this way, so they agree on which image is in which subset.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"
#include "data/dataset.h"
#include "data/labelled_pixels.h"
#include "data/splits.h"

namespace dermgan {

struct SubsetRequest {
    std::filesystem::path dataset;
    std::string subset = "train";  // train, val, test or all
    int institution = -1;          // -1 = every institution
    std::uint64_t splitSeed = 0;
    int resolution = 64;
    ReadOptions read;
    ProgressCallback progress;
};

// pixels and labels (LabelledPixels) with where they come from: one label per row, -1 for an unlabelled dataset.
struct SubsetImages : LabelledPixels {
    DatasetIndex index;
    SplitAssignment split;
    std::vector<std::size_t> rows;  // DatasetIndex rows, one per image (corrupt images skipped under skipBad)

    std::size_t size() const { return rows.size(); }
};

// Index, split and rows only (cheap: for --dry-run). Throws InputError for an unknown subset, a missing
// institution, or an empty selection.
SubsetImages selectSubset(const SubsetRequest& request);
// Decodes the selected rows (dropping unreadable ones under skipBad) into `subset.pixels`.
void decodeSubset(SubsetImages& subset, const SubsetRequest& request);
// Both of the above.
SubsetImages loadSubset(const SubsetRequest& request);

// Sets `subset` from "train", "val" or "test" and returns true; returns false for "all".
// Throws InputError for other names.
bool parseSubsetName(const std::string& name, Subset& subset);

} // namespace dermgan
