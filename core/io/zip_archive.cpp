#include "io/zip_archive.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <zlib.h>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace dermgan {

namespace {

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p)
{
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::vector<std::uint8_t> readAt(std::ifstream& in, std::uint64_t offset, std::size_t count,
                                 const std::filesystem::path& path)
{
    std::vector<std::uint8_t> bytes(count);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
    if (!in)
        throw InputError("ZIP archive " + path.string() + " is truncated: expected " + std::to_string(count) +
                         " bytes at offset " + std::to_string(offset));
    return bytes;
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

} // namespace

ZipArchive::ZipArchive(std::filesystem::path path) : path_(std::move(path))
{
    std::ifstream in(path_, std::ios::binary);
    if (!in)
        throw InputError("cannot open ZIP archive " + path_.string() + ": file missing or unreadable");
    in.seekg(0, std::ios::end);
    const auto fileSize = static_cast<std::uint64_t>(in.tellg());
    // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
    const std::uint64_t tail = std::min<std::uint64_t>(fileSize, 22 + 65535);
    if (fileSize < 22)
        throw InputError(path_.string() + " is not a ZIP archive: too short");
    const auto tailBytes = readAt(in, fileSize - tail, tail, path_);
    std::ptrdiff_t eocd = -1;
    for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(tail) - 22; i >= 0; --i)
        if (le32(&tailBytes[i]) == kEndOfCentralDirectory) {
            eocd = i;
            break;
        }
    if (eocd < 0)
        throw InputError(path_.string() + " is not a ZIP archive (no end-of-central-directory record; truncated?)");
    const std::uint8_t* e = &tailBytes[eocd];
    const std::uint16_t count = le16(e + 10);
    const std::uint32_t directorySize = le32(e + 12);
    const std::uint32_t directoryOffset = le32(e + 16);
    if (count == 0xffff || directoryOffset == 0xffffffffu)
        throw InputError(path_.string() + " is a ZIP64 archive, which is not supported: expected a plain ZIP");
    if (static_cast<std::uint64_t>(directoryOffset) + directorySize > fileSize)
        throw InputError(path_.string() + " is a truncated ZIP archive: central directory lies past the end");

    const auto directory = readAt(in, directoryOffset, directorySize, path_);
    std::size_t pos = 0;
    for (std::uint16_t i = 0; i < count; ++i) {
        if (pos + 46 > directory.size() || le32(&directory[pos]) != kCentralHeader)
            throw InputError(path_.string() + " has a corrupt ZIP central directory (entry " + std::to_string(i) + ")");
        const std::uint8_t* h = &directory[pos];
        Entry entry;
        entry.method = le16(h + 10);
        entry.crc = le32(h + 16);
        entry.compressedSize = le32(h + 20);
        entry.size = le32(h + 24);
        const std::uint16_t nameLength = le16(h + 28);
        const std::uint16_t extraLength = le16(h + 30);
        const std::uint16_t commentLength = le16(h + 32);
        entry.localHeaderOffset = le32(h + 42);
        if (pos + 46 + nameLength > directory.size())
            throw InputError(path_.string() + " has a corrupt ZIP central directory (entry name)");
        std::string name(reinterpret_cast<const char*>(h + 46), nameLength);
        pos += 46u + nameLength + extraLength + commentLength;
        if (!name.empty() && name.back() == '/')
            continue;
        names_.push_back(name);
        entries_.emplace(std::move(name), entry);
    }
}

std::vector<std::uint8_t> ZipArchive::read(const std::string& name) const
{
    const auto it = entries_.find(name);
    if (it == entries_.end())
        throw InputError("ZIP archive " + path_.string() + " has no member " + name);
    const Entry& entry = it->second;
    std::ifstream in(path_, std::ios::binary);
    if (!in)
        throw InputError("cannot open ZIP archive " + path_.string());
    const auto header = readAt(in, entry.localHeaderOffset, 30, path_);
    if (le32(header.data()) != kLocalHeader)
        throw InputError(path_.string() + ": corrupt local header for member " + name);
    const std::uint64_t dataOffset = entry.localHeaderOffset + 30 + le16(&header[26]) + le16(&header[28]);
    auto compressed = readAt(in, dataOffset, entry.compressedSize, path_);

    std::vector<std::uint8_t> data;
    if (entry.method == 0) {
        data = std::move(compressed);
    } else if (entry.method == 8) {
        data.resize(entry.size);
        z_stream stream{};
        if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
            throw std::runtime_error("zlib inflateInit2 failed");
        stream.next_in = compressed.data();
        stream.avail_in = static_cast<uInt>(compressed.size());
        stream.next_out = data.data();
        stream.avail_out = static_cast<uInt>(data.size());
        const int status = inflate(&stream, Z_FINISH);
        inflateEnd(&stream);
        if (status != Z_STREAM_END || stream.total_out != entry.size)
            throw InputError(path_.string() + ": member " + name + " does not inflate (corrupt deflate data)");
    } else {
        throw InputError(path_.string() + ": member " + name + " uses ZIP compression method " +
                         std::to_string(entry.method) + "; expected stored (0) or deflate (8)");
    }
    const auto crc = static_cast<std::uint32_t>(crc32(0L, data.data(), static_cast<uInt>(data.size())));
    if (crc != entry.crc)
        throw InputError(path_.string() + ": member " + name + " fails its CRC check (corrupt archive)");
    return data;
}

void ZipWriter::add(const std::string& name, const std::vector<std::uint8_t>& data)
{
    members_.emplace_back(name, data);
}

void ZipWriter::add(const std::string& name, const std::string& text)
{
    members_.emplace_back(name, std::vector<std::uint8_t>(text.begin(), text.end()));
}

void ZipWriter::save(const std::filesystem::path& destination) const
{
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> directory;
    for (const auto& [name, data] : members_) {
        const auto crc = static_cast<std::uint32_t>(crc32(0L, data.data(), static_cast<uInt>(data.size())));
        const auto size = static_cast<std::uint32_t>(data.size());
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto nameLength = static_cast<std::uint16_t>(name.size());
        put32(out, kLocalHeader);
        put16(out, 20); put16(out, 0); put16(out, 0); put16(out, 0); put16(out, 0x21);
        put32(out, crc); put32(out, size); put32(out, size);
        put16(out, nameLength); put16(out, 0);
        out.insert(out.end(), name.begin(), name.end());
        out.insert(out.end(), data.begin(), data.end());

        put32(directory, kCentralHeader);
        put16(directory, 20); put16(directory, 20); put16(directory, 0); put16(directory, 0);
        put16(directory, 0); put16(directory, 0x21);
        put32(directory, crc); put32(directory, size); put32(directory, size);
        put16(directory, nameLength); put16(directory, 0); put16(directory, 0); put16(directory, 0);
        put16(directory, 0); put32(directory, 0); put32(directory, offset);
        directory.insert(directory.end(), name.begin(), name.end());
    }
    const auto directoryOffset = static_cast<std::uint32_t>(out.size());
    out.insert(out.end(), directory.begin(), directory.end());
    put32(out, kEndOfCentralDirectory);
    put16(out, 0); put16(out, 0);
    put16(out, static_cast<std::uint16_t>(members_.size()));
    put16(out, static_cast<std::uint16_t>(members_.size()));
    put32(out, static_cast<std::uint32_t>(directory.size()));
    put32(out, directoryOffset);
    put16(out, 0);
    writeFileAtomically(destination, [&](std::ostream& stream) {
        stream.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    });
}

} // namespace dermgan
