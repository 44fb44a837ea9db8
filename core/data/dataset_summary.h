#pragma once
// Machine-readable (JSON) and human-readable summaries of a dataset and of a split, shared by the CLI's
// `dataset inspect` / `dataset split` and the explorer's training wizard.
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/splits.h"

namespace dermgan {

// Keys in reading order (format, images, groups, classes, notes), not sorted: "images" is the dataset's, not
// the first class's, for anyone who reads the JSON top-down or greps it.
nlohmann::ordered_json datasetSummaryJson(const DatasetIndex& index);
std::string datasetSummaryText(const DatasetIndex& index);

// Counts per subset x class and per institution x subset, and the number of lesions (groups) found in more
// than one subset or institution (0 by construction; reported so that anyone can check).
nlohmann::json splitSummaryJson(const DatasetIndex& index, const SplitAssignment& split);
std::string splitSummaryText(const DatasetIndex& index, const SplitAssignment& split);

} // namespace dermgan
