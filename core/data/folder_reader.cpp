// Plain folders: one sub-folder per class (names sorted, as torchvision's ImageFolder does), or a flat
// folder of unlabelled images for unconditional training.
#include <algorithm>

#include "common/errors.h"
#include "data/csv_table.h"
#include "data/dataset_layouts.h"
#include "data/image_files.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

DatasetIndex readImageFolder(const fs::path& root, const ReadOptions& options)
{
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw InputError("dataset " + root.string() + " is not a folder");
    std::vector<fs::path> classFolders;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && it->path().filename().string().front() != '.')
            classFolders.push_back(it->path());
    std::sort(classFolders.begin(), classFolders.end());

    DatasetIndex index;
    index.root = root;
    index.notes.push_back("no lesion ids in a plain folder: splits are by image");
    auto addImage = [&](const fs::path& file, int label) {
        ImageRecord record;
        record.imageId = file.stem().string();
        record.groupId = fs::relative(file, root, ec).string();
        record.label = label;
        record.location = file.string();
        index.records.push_back(std::move(record));
    };

    const auto looseImages = listImageFiles(root, false);
    if (classFolders.empty()) {
        for (const auto& file : looseImages)
            addImage(file, -1);
    } else {
        if (!looseImages.empty())
            index.notes.push_back("ignored " + std::to_string(looseImages.size()) +
                                  " images directly in the root folder: with class sub-folders, images belong in them");
        for (const auto& folder : classFolders) {
            index.classNames.push_back(folder.filename().string());
            for (const auto& file : listImageFiles(folder, true))
                addImage(file, static_cast<int>(index.classNames.size() - 1));
        }
        enforceNonEmptyClasses(index, options, root.string());
    }
    if (index.records.empty())
        throw InputError("dataset " + root.string() + " has no images: expected image files (.jpg, .png, ...), "
                         "one sub-folder per class, HAM10000_metadata.csv, an ISIC ground-truth CSV or dataset.json");
    return index;
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

} // namespace

// Any folder. One with metadata tables is never read as folder-per-class in silence: its sub-folders would
// become the diagnoses. Other tables (README.txt, TensorBoard's metadata.tsv) count only when they name
// images; any CSV counts.
std::optional<DatasetIndex> detectImageFolder(DatasetProbe& probe, const ReadOptions& options)
{
    std::error_code ec;
    if (!fs::is_directory(probe.path, ec))
        return std::nullopt;
    std::vector<fs::path> metadata;
    for (const auto& table : probe.tables)
        if (namesImages(tableHeader(table)) || lowercaseExtension(table) == ".csv")
            metadata.push_back(table);
    if (!metadata.empty()) {
        std::string why;
        for (const auto& reason : probe.rejected)
            why += "; " + reason;
        throw InputError("dataset " + probe.path.string() + " has metadata tables (" + fileList(metadata) +
                         ") but none is a HAM10000 metadata file (columns image_id, dx) or an ISIC ground truth "
                         "(column image or image_name plus classes)" + why);
    }
    return readImageFolder(probe.path, options);
}

} // namespace dermgan
