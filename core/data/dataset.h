#pragma once
// The index of a dataset: which images, which class each has, which lesion each shows. Building the index
// reads only metadata and folder listings; pixels are decoded later by the image store.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dermgan {

class CsvTable;

enum class DatasetFormat {
    Ham10000,      // image folder + HAM10000_metadata.csv (lesion_id, image_id, dx, ...)
    Isic,          // image folder + ISIC ground-truth CSV (one-hot class columns, or a 'target' column)
    FolderPerClass,// one sub-folder per class, or a flat folder of unlabelled images
    StyleGan2Ada,  // folder or ZIP made by StyleGAN2-ADA's dataset_tool.py, labels in dataset.json
};

std::string formatName(DatasetFormat format);

struct ImageRecord {
    std::string imageId;   // file stem, e.g. ISIC_0027419
    std::string groupId;   // the unit that splits keep together: lesion id, else patient id, else image id
    int label = -1;        // index into DatasetIndex::classNames; -1 for an unlabelled dataset
    std::string location;  // file path, or member name inside DatasetIndex::archivePath
    std::map<std::string, std::string> metadata;  // e.g. age, sex, localization, dx_type
};

struct DatasetIndex {
    std::filesystem::path root;
    DatasetFormat format = DatasetFormat::FolderPerClass;
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

// Detects the layout of `path` and reads it. Throws InputError with one line saying what was expected.
DatasetIndex openDataset(const std::filesystem::path& path, const ReadOptions& options = {});

DatasetIndex readHam10000(const std::filesystem::path& root, const std::filesystem::path& metadataCsv,
                          const ReadOptions& options);
DatasetIndex readIsic(const std::filesystem::path& root, const std::filesystem::path& groundTruthCsv,
                      const ReadOptions& options);
// Why `table` is not an ISIC ground truth by its structure (an image column, and a 'target' column with both
// values or two or more one-hot class columns), or empty when it is one. Reads no image.
std::string whyNotIsicGroundTruth(const CsvTable& table);
DatasetIndex readImageFolder(const std::filesystem::path& root, const ReadOptions& options);
DatasetIndex readStyleGanDataset(const std::filesystem::path& folderOrZip, const ReadOptions& options);

// Applies the empty-class rule shared by all readers: error, or drop with a note and relabel.
void enforceNonEmptyClasses(DatasetIndex& index, const ReadOptions& options, const std::string& where);

} // namespace dermgan
