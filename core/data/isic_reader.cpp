// ISIC challenge layout: an image folder and a ground-truth CSV with an image column ('image' or
// 'image_name') and either one-hot class columns (ISIC 2018/2019: MEL, NV, BCC, ...) or a binary 'target'
// (ISIC 2020). Lesion ids come from a 'lesion_id' column in any CSV of the folder (ISIC 2019 keeps them in
// its metadata CSV); without one, 'patient_id' groups the images; without that, each image is its own group.
#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/errors.h"
#include "data/csv_table.h"
#include "data/dataset_layouts.h"
#include "data/image_files.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

bool parseZeroOne(const std::string& text, double& value)
{
    try {
        std::size_t used = 0;
        value = std::stod(text, &used);
        return used == text.size() && (value == 0.0 || value == 1.0);
    } catch (...) {
        return false;
    }
}

struct Labels {
    std::vector<std::string> classNames;
    std::vector<int> perRow;
};

Labels oneHotLabels(const CsvTable& table, std::size_t imageColumn)
{
    // Class columns are those whose every value is 0 or 1.
    std::vector<std::size_t> classColumns;
    for (std::size_t c = 0; c < table.header().size(); ++c) {
        if (c == imageColumn)
            continue;
        const bool binary = std::all_of(table.rows().begin(), table.rows().end(), [&](const auto& row) {
            double v;
            return parseZeroOne(row[c], v);
        });
        if (binary)
            classColumns.push_back(c);
    }
    if (classColumns.size() < 2)
        throw InputError("ISIC ground truth " + table.path().string() +
                         " has no class columns: expected one-hot columns such as MEL,NV,BCC or a 'target' column");
    Labels labels;
    for (std::size_t c : classColumns)
        labels.classNames.push_back(table.header()[c]);
    for (std::size_t r = 0; r < table.rows().size(); ++r) {
        int label = -1;
        int ones = 0;
        for (std::size_t k = 0; k < classColumns.size(); ++k) {
            double v = 0;
            parseZeroOne(table.rows()[r][classColumns[k]], v);
            if (v == 1.0) {
                label = static_cast<int>(k);
                ++ones;
            }
        }
        if (ones != 1)
            throw InputError("ISIC ground truth " + table.path().string() + " row " + std::to_string(r + 2) + " has " +
                             std::to_string(ones) + " classes set; expected exactly one 1 among the class columns");
        labels.perRow.push_back(label);
    }
    return labels;
}

Labels targetLabels(const CsvTable& table, std::size_t targetColumn)
{
    Labels labels;
    labels.classNames = {"benign", "malignant"};
    for (std::size_t r = 0; r < table.rows().size(); ++r) {
        double v = 0;
        if (!parseZeroOne(table.rows()[r][targetColumn], v))
            throw InputError("ISIC ground truth " + table.path().string() + " row " + std::to_string(r + 2) +
                             " has target '" + table.rows()[r][targetColumn] + "'; expected 0 or 1");
        labels.perRow.push_back(static_cast<int>(v));
    }
    return labels;
}

// lesion_id by image id from any CSV in the folder that has both columns.
std::unordered_map<std::string, std::string> lesionIds(const fs::path& root, const std::string& imageColumnName)
{
    std::unordered_map<std::string, std::string> ids;
    for (const auto& file : tableFilesIn(root)) {
        try {
            const CsvTable table = CsvTable::read(file);
            const auto image = table.findColumn(imageColumnName);
            const auto lesion = table.findColumn("lesion_id");
            if (!image || !lesion)
                continue;
            for (const auto& row : table.rows())
                if (!row[*lesion].empty())
                    ids[row[*image]] = row[*lesion];
        } catch (const InputError&) {
            continue;  // not a table we can use for lesion ids
        }
    }
    return ids;
}

// Why `table` is not an ISIC ground truth by its structure (an image column, and a 'target' column with both
// values or two or more one-hot class columns), or empty when it is one. Reads no image.
std::string whyNotIsicGroundTruth(const CsvTable& table)
{
    const auto image = table.findColumn("image") ? table.findColumn("image") : table.findColumn("image_name");
    if (!image)
        return "no image or image_name column";
    if (table.rows().empty())
        return "no rows";
    if (const auto target = table.findColumn("target")) {
        std::set<std::string> values;
        for (const auto& row : table.rows())
            values.insert(row[*target]);
        return values.size() >= 2 ? "" : "its target column has one value only (a submission template?)";
    }
    std::size_t classColumns = 0;
    for (std::size_t c = 0; c < table.header().size(); ++c)
        if (c != *image && std::all_of(table.rows().begin(), table.rows().end(), [&](const auto& row) {
                double v;
                return parseZeroOne(row[c], v);
            }))
            ++classColumns;
    return classColumns >= 2 ? "" : "no label columns (a 'target' or one-hot classes such as MEL,NV,BCC)";
}

DatasetIndex readIsic(const fs::path& root, const fs::path& groundTruthCsv, const ReadOptions& options)
{
    const CsvTable table = CsvTable::read(groundTruthCsv);
    const auto imageColumnIndex = table.findColumn("image") ? table.findColumn("image") : table.findColumn("image_name");
    if (!imageColumnIndex)
        throw InputError("ISIC ground truth " + groundTruthCsv.string() + " has no image column: expected 'image' or 'image_name'");
    const std::size_t imageColumn = *imageColumnIndex;
    if (table.rows().empty())
        throw InputError("ISIC ground truth " + groundTruthCsv.string() + " has no rows: expected one row per image");
    const auto targetColumn = table.findColumn("target");
    const Labels labels = targetColumn ? targetLabels(table, *targetColumn) : oneHotLabels(table, imageColumn);

    DatasetIndex index;
    index.root = root;
    index.classNames = labels.classNames;
    const auto lesions = lesionIds(root, table.header()[imageColumn]);
    const auto patientColumn = table.findColumn("patient_id");
    index.groupKind = !lesions.empty() ? "lesion_id" : patientColumn ? "patient_id" : "image";
    if (index.groupKind == "image")
        index.notes.push_back("no lesion_id or patient_id: splits are by image, so one lesion may land in two splits");

    const auto files = imageFilesByStem(root);
    std::unordered_set<std::string> seen;
    for (std::size_t r = 0; r < table.rows().size(); ++r) {
        const auto& row = table.rows()[r];
        const std::string& imageId = row[imageColumn];
        if (!seen.insert(imageId).second)
            throw InputError("ISIC ground truth " + groundTruthCsv.string() + " lists image " + imageId + " twice");
        auto file = files.find(imageId);
        if (file == files.end())
            file = files.find(imageId + "_downsampled");  // ISIC 2019 ships some images under this name
        if (file == files.end()) {
            if (!options.skipBad)
                throw InputError("image " + imageId + " (row " + std::to_string(r + 2) + " of " +
                                 groundTruthCsv.filename().string() + ") has no file under " + root.string() +
                                 "; expected " + imageId + ".jpg (or pass --skip-bad)");
            index.notes.push_back("skipped " + imageId + ": no image file");
            continue;
        }
        ImageRecord record;
        record.imageId = imageId;
        record.label = labels.perRow[r];
        record.location = file->second.string();
        if (const auto lesion = lesions.find(imageId); lesion != lesions.end())
            record.groupId = lesion->second;
        else if (patientColumn && !row[*patientColumn].empty())
            record.groupId = row[*patientColumn];
        else
            record.groupId = imageId;
        for (std::size_t c = 0; c < table.header().size(); ++c)
            if (c != imageColumn && std::find(labels.classNames.begin(), labels.classNames.end(), table.header()[c]) ==
                                        labels.classNames.end())
                record.metadata[table.header()[c]] = row[c];
        index.records.push_back(std::move(record));
    }
    if (index.records.empty())
        throw InputError("dataset " + root.string() + " has no usable images; expected image files named as in " +
                         groundTruthCsv.filename().string());
    enforceNonEmptyClasses(index, options, groundTruthCsv.string());
    return index;
}

} // namespace

// The ground truth is chosen by its structure (an image column and labels), not by reading images, so that a
// real error in it (a missing image) is reported rather than another table taken instead. Kaggle's SIIM-ISIC
// 2020 folder has train.csv (labelled), test.csv (no labels) and sample_submission.csv (a constant target):
// of the tables with labels, the one with the most rows wins; two with as many are refused.
std::optional<DatasetIndex> detectIsic(DatasetProbe& probe, const ReadOptions& options)
{
    fs::path best;
    std::size_t bestRows = 0;
    fs::path tied;
    for (const auto& file : probe.tables) {
        std::optional<CsvTable> table;
        try {
            table = CsvTable::read(file);
        } catch (const InputError& e) {
            probe.rejected.push_back(file.filename().string() + ": " + e.what());
            continue;
        }
        if (const auto why = whyNotIsicGroundTruth(*table); !why.empty()) {
            probe.rejected.push_back(file.filename().string() + ": " + why);
            continue;
        }
        if (table->rows().size() > bestRows) {
            best = file;
            bestRows = table->rows().size();
            tied.clear();
        } else if (table->rows().size() == bestRows) {
            tied = file;
        }
    }
    if (best.empty())
        return std::nullopt;
    if (!tied.empty())
        throw InputError("dataset " + probe.path.string() + " has two ground-truth tables of " +
                         std::to_string(bestRows) + " rows (" + best.filename().string() + ", " +
                         tied.filename().string() + "); expected one (move the other out)");
    auto index = readIsic(probe.path, best, options);
    index.notes.insert(index.notes.begin(), "labels read from " + best.filename().string());
    for (const auto& reason : probe.rejected)
        if (reason.find("no image or image_name column") == std::string::npos)  // lesion-id tables are expected
            index.notes.push_back("not used: " + reason);
    return index;
}

} // namespace dermgan
