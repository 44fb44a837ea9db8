#pragma once
// Read access to the members of a ZIP file (stored or deflated), enough for StyleGAN2-ADA dataset archives
// made by its dataset_tool.py, which stores images uncompressed next to dataset.json. No ZIP64.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace dermgan {

class ZipArchive {
public:
    // Reads the central directory; throws InputError when the file is missing or not a ZIP archive.
    explicit ZipArchive(std::filesystem::path path);

    const std::filesystem::path& path() const { return path_; }
    // Member names in archive order (folders excluded).
    const std::vector<std::string>& names() const { return names_; }
    bool contains(const std::string& name) const { return entries_.count(name) != 0; }
    // The member's uncompressed bytes. Safe to call from several threads: each call opens its own stream.
    std::vector<std::uint8_t> read(const std::string& name) const;

private:
    struct Entry {
        std::uint16_t method = 0;  // 0 stored, 8 deflated
        std::uint32_t crc = 0;
        std::uint64_t compressedSize = 0;
        std::uint64_t size = 0;
        std::uint64_t localHeaderOffset = 0;
    };
    std::filesystem::path path_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, Entry> entries_;
};

// Writes a ZIP file with stored (uncompressed) members, atomically: the layout of dataset_tool.py archives.
class ZipWriter {
public:
    void add(const std::string& name, const std::vector<std::uint8_t>& data);
    void add(const std::string& name, const std::string& text);
    void save(const std::filesystem::path& destination) const;

private:
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> members_;
};

} // namespace dermgan
