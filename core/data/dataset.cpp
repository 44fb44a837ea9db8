#include "data/dataset.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <vector>

#include "common/errors.h"
#include "common/word_list.h"
#include "data/csv_table.h"
#include "data/dataset_layouts.h"

namespace dermgan {

namespace fs = std::filesystem;

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

// The detectors, each defined in its layout's reader file (declared here only: the table is their one user).
std::optional<DatasetIndex> detectStyleGanDataset(DatasetProbe& probe, const ReadOptions& options);
std::optional<DatasetIndex> detectHam10000(DatasetProbe& probe, const ReadOptions& options);
std::optional<DatasetIndex> detectIsic(DatasetProbe& probe, const ReadOptions& options);
std::optional<DatasetIndex> detectImageFolder(DatasetProbe& probe, const ReadOptions& options);

const std::vector<DatasetLayout>& datasetLayouts()
{
    // StyleGAN2-ADA first: its folders may hold anything beside dataset.json. HAM10000 before ISIC: a
    // HAM10000 table has an image column too. Folder-per-class last, since any folder is one.
    static const std::vector<DatasetLayout> layouts = {
        {"stylegan2-ada", "a StyleGAN2-ADA dataset (folder or .zip)", detectStyleGanDataset},
        {"ham10000", "a HAM10000 folder", detectHam10000},
        {"isic", "an ISIC folder", detectIsic},
        {"folder", "a folder with one sub-folder per class", detectImageFolder},
    };
    return layouts;
}

std::string datasetLayoutList()
{
    std::vector<std::string> descriptions;
    for (const auto& layout : datasetLayouts())
        descriptions.push_back(layout.description);
    return orList(descriptions);
}

std::vector<std::string> tableHeader(const fs::path& path)
{
    try {
        return CsvTable::read(path).header();
    } catch (const InputError&) {
        return {};
    }
}

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

DatasetIndex openDataset(const fs::path& path, const ReadOptions& options)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError("dataset " + path.string() + " does not exist: expected a folder or a .zip archive");
    DatasetProbe probe{path, fs::is_directory(path, ec) ? tableFilesIn(path) : std::vector<fs::path>{}, {}};
    for (const auto& layout : datasetLayouts())
        if (auto index = layout.detect(probe, options)) {
            index->layout = layout.name;
            return std::move(*index);
        }
    if (fs::is_regular_file(path, ec))
        throw InputError("dataset " + path.string() + " is a file but not a .zip archive: expected a folder or a "
                         "StyleGAN2-ADA .zip");
    throw InputError("dataset " + path.string() + " is neither a folder nor a .zip archive: expected a folder or a "
                     "StyleGAN2-ADA .zip");
}

} // namespace dermgan
