#include "data/image_files.h"

#include <algorithm>
#include <cctype>

#include "common/errors.h"

namespace dermgan {

namespace fs = std::filesystem;

bool hasImageExtension(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tif" ||
           ext == ".tiff" || ext == ".webp";
}

bool isPlatformJunk(const std::string& relative)
{
    std::size_t start = 0;
    while (start <= relative.size()) {
        const auto end = std::min(relative.find('/', start), relative.size());
        const auto part = relative.substr(start, end - start);
        if (part == "__MACOSX" || part == ".DS_Store" || part.rfind("._", 0) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

std::vector<fs::path> listImageFiles(const fs::path& folder, bool recursive)
{
    std::vector<fs::path> files;
    std::error_code ec;
    auto consider = [&](const fs::directory_entry& entry) {
        if (entry.is_regular_file(ec) && hasImageExtension(entry.path()) &&
            !isPlatformJunk(entry.path().lexically_relative(folder).generic_string()))
            files.push_back(entry.path());
    };
    if (recursive) {
        for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec))
            consider(*it);
    } else {
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
            consider(*it);
    }
    if (ec)
        throw InputError("cannot list folder " + folder.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

std::unordered_map<std::string, fs::path> imageFilesByStem(const fs::path& root)
{
    std::unordered_map<std::string, fs::path> byStem;
    for (const auto& file : listImageFiles(root, true)) {
        const auto [it, inserted] = byStem.emplace(file.stem().string(), file);
        if (!inserted)
            throw InputError("two image files share the name " + file.stem().string() + " (" + it->second.string() +
                             " and " + file.string() + "); expected one file per image id");
    }
    return byStem;
}

} // namespace dermgan
