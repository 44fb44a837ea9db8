#pragma once
// The dataset layouts openDataset recognises, one row each, in the order it tries them (dataset.cpp).
// Adding a layout: its reader file defines a detector (below), dataset.cpp declares it and lists it in the
// table, core/CMakeLists.txt lists the file, and test_dataset_readers reads an example made in code.
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace dermgan {

// What detectors see of the path the user named, and what they leave for the detectors after them.
struct DatasetProbe {
    std::filesystem::path path;                 // a folder, or a file
    std::vector<std::filesystem::path> tables;  // the metadata tables directly in a folder (tableFilesIn)
    std::vector<std::string> rejected;          // "file: why" for each table a detector looked at and did not take
};

// A detector returns the index when `probe` has its layout and nullopt when it has not; it throws InputError,
// naming the file and what was expected, when the path has its layout but is broken.
using DatasetDetector = std::optional<DatasetIndex> (*)(DatasetProbe& probe, const ReadOptions& options);

struct DatasetLayout {
    const char* name;         // DatasetIndex::layout, as dataset summaries print it
    const char* description;  // for help texts: "a HAM10000 folder"
    DatasetDetector detect;
};

// The rows in detection order: the most specific layout first, folder-per-class last (any folder is one).
const std::vector<DatasetLayout>& datasetLayouts();
// "a StyleGAN2-ADA dataset (folder or .zip), a HAM10000 folder, ... or a folder with one sub-folder per class".
std::string datasetLayoutList();

// Helpers the detectors share.
// The header of the table at `path`, or empty when it cannot be read as a table.
std::vector<std::string> tableHeader(const std::filesystem::path& path);
bool hasColumns(const std::vector<std::string>& header, std::initializer_list<const char*> names);
// ".csv" for "Train.CSV".
std::string lowercaseExtension(const std::filesystem::path& path);

} // namespace dermgan
