#pragma once
// The index of a dataset: which images, which class each has, which lesion each shows. Building the index
// reads only metadata and folder listings; pixels are decoded later by the image store.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dermgan {

struct ImageRecord {
    std::string imageId;   // file stem, e.g. ISIC_0027419
    std::string groupId;   // the unit that splits keep together: lesion id, else patient id, else image id
    int label = -1;        // index into DatasetIndex::classNames; -1 for an unlabelled dataset
    std::string location;  // file path, or member name inside DatasetIndex::archivePath
    std::map<std::string, std::string> metadata;  // e.g. age, sex, localization, dx_type
};

struct DatasetIndex {
    std::filesystem::path root;
    std::string layout;                 // its row in datasetLayouts(): ham10000, isic, folder, stylegan2-ada
    std::filesystem::path archivePath;  // set when the images live inside a ZIP archive
    std::string groupKind = "image";    // "lesion_id", "patient_id" or "image"
    std::vector<std::string> classNames;// empty for an unlabelled dataset
    std::vector<ImageRecord> records;
    std::vector<std::string> notes;     // what the user should know: skipped rows, dropped classes

    bool labelled() const { return !classNames.empty(); }
    std::vector<std::size_t> classCounts() const;
    std::size_t groupCount() const;
};

struct ReadOptions {
    bool skipBad = false;           // skip metadata rows whose image file is missing, with a note, instead of failing
    bool dropEmptyClasses = false;  // drop classes without images (e.g. ISIC 2019's UNK), with a note
};

// Detects the layout of `path` (the table in data/dataset_layouts.h) and reads it. Throws InputError with one
// line saying what was expected.
DatasetIndex openDataset(const std::filesystem::path& path, const ReadOptions& options = {});

// Applies the empty-class rule shared by all readers: error, or drop with a note and relabel.
void enforceNonEmptyClasses(DatasetIndex& index, const ReadOptions& options, const std::string& where);

} // namespace dermgan
