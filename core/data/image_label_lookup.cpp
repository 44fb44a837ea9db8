#include "data/image_label_lookup.h"

#include <system_error>

#include "data/csv_table.h"
#include "data/dataset.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

bool sameFile(const fs::path& a, const fs::path& b)
{
    std::error_code error;
    return fs::equivalent(a, b, error) && !error;
}

// Whether `folder` itself holds a metadata table or dataset.json. Reading a folder without one as a dataset
// would list every image below it (a home folder, say), which is too slow for a lookup and labels nothing.
bool holdsMetadata(const fs::path& folder)
{
    std::error_code error;
    for (fs::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error))
        if (entry->path().filename() == "dataset.json" || hasTableExtension(entry->path()))
            return true;
    return false;
}

} // namespace

std::optional<ImageLabel> findImageLabel(const fs::path& image, int levels)
{
    std::error_code error;
    if (!fs::is_regular_file(image, error))
        return std::nullopt;
    fs::path folder = fs::absolute(image, error).parent_path();
    for (int level = 0; level <= levels && !folder.empty(); ++level, folder = folder.parent_path()) {
        if (!holdsMetadata(folder))
            continue;
        DatasetIndex index;
        try {
            index = openDataset(folder, ReadOptions{/*skipBad=*/true, /*dropEmptyClasses=*/true});
        } catch (const std::exception&) {
            continue;  // not a dataset (or a broken one): look further up
        }
        if (!index.labelled() || !index.archivePath.empty())
            continue;
        const std::string stem = image.stem().string();
        for (const auto& record : index.records)
            if (record.imageId == stem && record.label >= 0 && sameFile(record.location, image))
                return ImageLabel{index.classNames.at(static_cast<std::size_t>(record.label)), folder};
    }
    return std::nullopt;
}

} // namespace dermgan
