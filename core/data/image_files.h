#pragma once
// Finding image files on disk.
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace dermgan {

// .png .jpg .jpeg .bmp .tif .tiff .webp, any letter case.
bool hasImageExtension(const std::filesystem::path& path);

// What macOS adds to folders and zips beside the real files: "__MACOSX/" copies, "._name" AppleDouble
// resource forks and ".DS_Store". `relative` is '/'-separated, as in a ZIP member name.
bool isPlatformJunk(const std::string& relative);

// Image files under `folder` (recursing into sub-folders when asked), sorted by path for a stable order.
std::vector<std::filesystem::path> listImageFiles(const std::filesystem::path& folder, bool recursive);

// Image files under `root` (recursively) by file stem, for metadata that names images without a path.
// Throws InputError when two files share a stem, since a metadata row could not tell them apart.
std::unordered_map<std::string, std::filesystem::path> imageFilesByStem(const std::filesystem::path& root);

} // namespace dermgan
