// HAM10000 layout: an image folder (any depth) and a metadata CSV with lesion_id, image_id, dx and
// optional dx_type, age, sex, localization.
#include <map>
#include <set>
#include <unordered_set>

#include "common/errors.h"
#include "data/csv_table.h"
#include "data/dataset_layouts.h"
#include "data/image_files.h"

namespace dermgan {

namespace {

DatasetIndex readHam10000(const std::filesystem::path& root, const std::filesystem::path& metadataCsv,
                          const ReadOptions& options)
{
    const CsvTable table = CsvTable::read(metadataCsv);
    const std::size_t imageColumn = table.column("image_id");
    const std::size_t dxColumn = table.column("dx");
    const auto lesionColumn = table.findColumn("lesion_id");
    if (table.rows().empty())
        throw InputError("HAM10000 metadata " + metadataCsv.string() + " has no rows: expected one row per image");

    DatasetIndex index;
    index.root = root;
    index.groupKind = lesionColumn ? "lesion_id" : "image";
    if (!lesionColumn)
        index.notes.push_back("no lesion_id column: splits keep only identical image ids together");

    // HAM10000's seven diagnoses sort alphabetically (akiec, bcc, bkl, df, mel, nv, vasc): the usual order.
    std::set<std::string> diagnoses;
    for (const auto& row : table.rows())
        diagnoses.insert(row[dxColumn]);
    if (diagnoses.count(""))
        throw InputError("HAM10000 metadata " + metadataCsv.string() + " has a row with an empty dx: expected a diagnosis");
    index.classNames.assign(diagnoses.begin(), diagnoses.end());
    std::map<std::string, int> labelOf;
    for (std::size_t c = 0; c < index.classNames.size(); ++c)
        labelOf[index.classNames[c]] = static_cast<int>(c);

    const auto files = imageFilesByStem(root);
    std::unordered_set<std::string> seen;
    std::size_t skipped = 0;
    for (std::size_t r = 0; r < table.rows().size(); ++r) {
        const auto& row = table.rows()[r];
        const std::string& imageId = row[imageColumn];
        if (!seen.insert(imageId).second)
            throw InputError("HAM10000 metadata " + metadataCsv.string() + " lists image " + imageId +
                             " twice (row " + std::to_string(r + 2) + "); expected each image once");
        const auto file = files.find(imageId);
        if (file == files.end()) {
            if (!options.skipBad)
                throw InputError("image " + imageId + " (row " + std::to_string(r + 2) + " of " +
                                 metadataCsv.filename().string() + ") has no file under " + root.string() +
                                 "; expected " + imageId + ".jpg (or pass --skip-bad)");
            index.notes.push_back("skipped " + imageId + ": no image file");
            ++skipped;
            continue;
        }
        ImageRecord record;
        record.imageId = imageId;
        record.groupId = lesionColumn ? row[*lesionColumn] : imageId;
        if (record.groupId.empty())
            record.groupId = imageId;
        record.label = labelOf.at(row[dxColumn]);
        record.location = file->second.string();
        for (std::size_t c = 0; c < table.header().size(); ++c)
            if (c != imageColumn && c != dxColumn && (!lesionColumn || c != *lesionColumn))
                record.metadata[table.header()[c]] = row[c];
        index.records.push_back(std::move(record));
    }
    if (index.records.empty())
        throw InputError("dataset " + root.string() + " has no usable images (" + std::to_string(skipped) +
                         " rows without files); expected images next to " + metadataCsv.filename().string());
    enforceNonEmptyClasses(index, options, metadataCsv.string());
    return index;
}

} // namespace

// A table with image_id and dx; the one by HAM10000's own name first, so that a missing column of that file
// is reported as such.
std::optional<DatasetIndex> detectHam10000(DatasetProbe& probe, const ReadOptions& options)
{
    auto read = [&](const std::filesystem::path& table) {
        auto index = readHam10000(probe.path, table, options);
        index.notes.insert(index.notes.begin(), "metadata read from " + table.filename().string());
        return index;
    };
    for (const auto& table : probe.tables)
        if (table.stem() == "HAM10000_metadata")
            return read(table);
    for (const auto& table : probe.tables)
        if (hasColumns(tableHeader(table), {"image_id", "dx"}))
            return read(table);
    return std::nullopt;
}

} // namespace dermgan
