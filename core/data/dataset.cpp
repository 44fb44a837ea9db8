#include "data/dataset.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "common/errors.h"
#include "data/csv_table.h"
#include "data/image_files.h"

namespace dermgan {

namespace fs = std::filesystem;

std::string formatName(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::Ham10000: return "ham10000";
    case DatasetFormat::Isic: return "isic";
    case DatasetFormat::FolderPerClass: return "folder";
    case DatasetFormat::StyleGan2Ada: return "stylegan2-ada";
    }
    return "unknown";
}

std::vector<std::size_t> DatasetIndex::classCounts() const
{
    std::vector<std::size_t> counts(classNames.size(), 0);
    for (const auto& record : records)
        if (record.label >= 0 && static_cast<std::size_t>(record.label) < counts.size())
            ++counts[static_cast<std::size_t>(record.label)];
    return counts;
}

std::size_t DatasetIndex::groupCount() const
{
    std::set<std::string> groups;
    for (const auto& record : records)
        groups.insert(record.groupId);
    return groups.size();
}

void enforceNonEmptyClasses(DatasetIndex& index, const ReadOptions& options, const std::string& where)
{
    const auto counts = index.classCounts();
    std::vector<int> newLabel(counts.size(), -1);
    std::vector<std::string> kept;
    for (std::size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] > 0) {
            newLabel[c] = static_cast<int>(kept.size());
            kept.push_back(index.classNames[c]);
            continue;
        }
        if (!options.dropEmptyClasses)
            throw InputError("class '" + index.classNames[c] + "' has no images in " + where +
                             "; expected at least one image per class (or pass --drop-empty-classes)");
        index.notes.push_back("dropped class '" + index.classNames[c] + "': it has no images");
    }
    if (kept.size() == counts.size())
        return;
    for (auto& record : index.records)
        if (record.label >= 0)
            record.label = newLabel[static_cast<std::size_t>(record.label)];
    index.classNames = std::move(kept);
}

namespace {

bool hasColumns(const std::vector<std::string>& header, std::initializer_list<const char*> names)
{
    return std::all_of(names.begin(), names.end(), [&](const char* name) {
        return std::find(header.begin(), header.end(), name) != header.end();
    });
}

std::string lowercaseExtension(const fs::path& path)
{
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return extension;
}

std::vector<std::string> tableHeader(const fs::path& path)
{
    try {
        return CsvTable::read(path).header();
    } catch (const InputError&) {
        return {};
    }
}

// An image column by any name the public lesion datasets use.
bool namesImages(const std::vector<std::string>& header)
{
    for (const char* name : {"image", "image_name", "image_id", "isic_id", "filename", "file_name", "image_path"})
        if (hasColumns(header, {name}))
            return true;
    return false;
}

std::string fileList(const std::vector<fs::path>& files)
{
    std::string names;
    for (const auto& file : files)
        names += (names.empty() ? "" : ", ") + file.filename().string();
    return names;
}

// HAM10000: a table with image_id and dx; the one by HAM10000's own name first, so that a missing column of
// that file is reported as such.
std::optional<DatasetIndex> readHamTable(const fs::path& path, const std::vector<fs::path>& tables,
                                         const ReadOptions& options)
{
    auto read = [&](const fs::path& table) {
        auto index = readHam10000(path, table, options);
        index.notes.insert(index.notes.begin(), "metadata read from " + table.filename().string());
        return index;
    };
    for (const auto& table : tables)
        if (table.stem() == "HAM10000_metadata")
            return read(table);
    for (const auto& table : tables)
        if (hasColumns(tableHeader(table), {"image_id", "dx"}))
            return read(table);
    return std::nullopt;
}

// ISIC: the ground truth is chosen by its structure (an image column and labels), not by reading images, so
// that a real error in it (a missing image) is reported rather than another table taken instead. Kaggle's
// SIIM-ISIC 2020 folder has train.csv (labelled), test.csv (no labels) and sample_submission.csv (a constant
// target): of the tables with labels, the one with the most rows wins; two with as many are refused.
std::optional<DatasetIndex> readIsicTable(const fs::path& path, const std::vector<fs::path>& tables,
                                          const ReadOptions& options, std::vector<std::string>& reasons)
{
    fs::path best;
    std::size_t bestRows = 0;
    fs::path tied;
    for (const auto& file : tables) {
        std::optional<CsvTable> table;
        try {
            table = CsvTable::read(file);
        } catch (const InputError& e) {
            reasons.push_back(file.filename().string() + ": " + e.what());
            continue;
        }
        if (const auto why = whyNotIsicGroundTruth(*table); !why.empty()) {
            reasons.push_back(file.filename().string() + ": " + why);
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
        throw InputError("dataset " + path.string() + " has two ground-truth tables of " + std::to_string(bestRows) +
                         " rows (" + best.filename().string() + ", " + tied.filename().string() +
                         "); expected one (move the other out)");
    auto index = readIsic(path, best, options);
    index.notes.insert(index.notes.begin(), "labels read from " + best.filename().string());
    for (const auto& reason : reasons)
        if (reason.find("no image or image_name column") == std::string::npos)  // lesion-id tables are expected
            index.notes.push_back("not used: " + reason);
    return index;
}

} // namespace

DatasetIndex openDataset(const fs::path& path, const ReadOptions& options)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError("dataset " + path.string() + " does not exist: expected a folder or a .zip archive");
    if (fs::is_regular_file(path, ec)) {
        if (lowercaseExtension(path) == ".zip")
            return readStyleGanDataset(path, options);
        throw InputError("dataset " + path.string() + " is a file but not a .zip archive: expected a folder or a "
                         "StyleGAN2-ADA .zip");
    }
    if (fs::exists(path / "dataset.json", ec))
        return readStyleGanDataset(path, options);

    const auto tables = tableFilesIn(path);
    if (auto ham = readHamTable(path, tables, options))
        return std::move(*ham);
    std::vector<std::string> reasons;
    if (auto isic = readIsicTable(path, tables, options, reasons))
        return std::move(*isic);

    // A folder with metadata tables is never read as folder-per-class in silence: its sub-folders would
    // become the diagnoses. Other tables (README.txt, TensorBoard's metadata.tsv) count only when they name
    // images; any CSV counts, as before.
    std::vector<fs::path> metadata;
    for (const auto& table : tables)
        if (namesImages(tableHeader(table)) || lowercaseExtension(table) == ".csv")
            metadata.push_back(table);
    if (!metadata.empty()) {
        std::string why;
        for (const auto& reason : reasons)
            why += "; " + reason;
        throw InputError("dataset " + path.string() + " has metadata tables (" + fileList(metadata) +
                         ") but none is a HAM10000 metadata file (columns image_id, dx) or an ISIC ground truth "
                         "(column image or image_name plus classes)" + why);
    }
    return readImageFolder(path, options);
}

} // namespace dermgan
