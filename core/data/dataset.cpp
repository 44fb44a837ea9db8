#include "data/dataset.h"

#include <algorithm>
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

std::vector<std::string> csvHeader(const fs::path& path)
{
    try {
        return CsvTable::read(path).header();
    } catch (const InputError&) {
        return {};
    }
}

std::vector<fs::path> csvFilesIn(const fs::path& folder)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && it->path().extension() == ".csv")
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

DatasetIndex openDataset(const fs::path& path, const ReadOptions& options)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError("dataset " + path.string() + " does not exist: expected a folder or a .zip archive");
    if (fs::is_regular_file(path, ec)) {
        if (path.extension() == ".zip")
            return readStyleGanDataset(path, options);
        throw InputError("dataset " + path.string() + " is a file but not a .zip archive: expected a folder or a "
                         "StyleGAN2-ADA .zip");
    }
    if (fs::exists(path / "dataset.json", ec))
        return readStyleGanDataset(path, options);

    // A file by HAM10000's own name is read as HAM10000, so that a missing column is named as such.
    if (fs::exists(path / "HAM10000_metadata.csv", ec))
        return readHam10000(path, path / "HAM10000_metadata.csv", options);
    const auto csvFiles = csvFilesIn(path);
    for (const auto& csv : csvFiles)
        if (hasColumns(csvHeader(csv), {"image_id", "dx"}))
            return readHam10000(path, csv, options);
    for (const auto& csv : csvFiles) {
        const auto header = csvHeader(csv);
        const bool hasImage = hasColumns(header, {"image"}) || hasColumns(header, {"image_name"});
        if (hasImage && header.size() >= 2 && !hasColumns(header, {"lesion_id"}))
            return readIsic(path, csv, options);
        if (hasImage && hasColumns(header, {"target"}))
            return readIsic(path, csv, options);
    }
    if (!csvFiles.empty()) {
        std::string names;
        for (const auto& csv : csvFiles)
            names += (names.empty() ? "" : ", ") + csv.filename().string();
        throw InputError("dataset " + path.string() + " has CSV files (" + names + ") but none is a HAM10000 metadata "
                         "file (columns image_id, dx) or an ISIC ground truth (column image or image_name plus classes)");
    }
    return readImageFolder(path, options);
}

} // namespace dermgan
