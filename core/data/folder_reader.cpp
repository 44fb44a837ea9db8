// Plain folders: one sub-folder per class (names sorted, as torchvision's ImageFolder does), or a flat
// folder of unlabelled images for unconditional training.
#include <algorithm>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/image_files.h"

namespace dermgan {

namespace fs = std::filesystem;

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
    index.format = DatasetFormat::FolderPerClass;
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

} // namespace dermgan
