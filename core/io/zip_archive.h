#pragma once
// Read access to the members of a ZIP file through libzip (stored or deflated members, ZIP64, the archive's
// consistency and every member's CRC checked): StyleGAN2-ADA dataset archives, .npz imports, and the
// integrity check of LibTorch archives (.dermgan, .dermnet), whose own reader checks no CRC.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace dermgan {

class ZipArchive {
public:
    // Reads the central directory; throws InputError when the file is missing, not a ZIP archive, or its
    // local headers disagree with the directory.
    explicit ZipArchive(std::filesystem::path path);

    const std::filesystem::path& path() const { return path_; }
    // Member names in archive order (folders excluded).
    const std::vector<std::string>& names() const { return names_; }
    bool contains(const std::string& name) const { return indices_.count(name) != 0; }
    // The member's uncompressed bytes; InputError when its data fail the CRC or disagree with its size.
    // Safe to call from several threads (reads are serialised; decoding what they return is not).
    std::vector<std::uint8_t> read(const std::string& name) const;

private:
    struct Handle;
    std::filesystem::path path_;
    std::uint64_t fileSize_ = 0;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint64_t> indices_;
    std::shared_ptr<Handle> handle_;
};

// Reads every member of the ZIP file `path` once; InputError naming the first damaged one.
void verifyZipMembers(const std::filesystem::path& path);

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
