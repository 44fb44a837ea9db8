#include "io/zip_archive.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>

#include <zip.h>
#include <zlib.h>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace dermgan {

namespace {

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;

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

namespace {

std::string libzipError(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

} // namespace

struct ZipArchive::Handle {
    zip_t* zip = nullptr;
    std::mutex mutex;  // a zip_t is not safe for concurrent reads
    ~Handle()
    {
        if (zip)
            zip_discard(zip);
    }
};

ZipArchive::ZipArchive(std::filesystem::path path) : path_(std::move(path)), handle_(std::make_shared<Handle>())
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec))
        throw InputError("cannot open ZIP archive " + path_.string() + ": file missing or unreadable");
    fileSize_ = std::filesystem::file_size(path_, ec);
    int code = 0;
    handle_->zip = zip_open(path_.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!handle_->zip) {
        if (code == ZIP_ER_NOZIP)
            throw InputError(path_.string() + " is not a ZIP archive (no end-of-central-directory record; truncated?)");
        throw InputError("ZIP archive " + path_.string() + " is damaged (" + libzipError(code) + "); expected an intact ZIP file");
    }
    const zip_int64_t count = zip_get_num_entries(handle_->zip, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        const char* raw = zip_get_name(handle_->zip, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
        if (!raw)
            throw InputError("ZIP archive " + path_.string() + " has an unreadable name for member " + std::to_string(i));
        std::string name(raw);
        if (name.empty() || name.back() == '/')
            continue;
        if (!indices_.emplace(name, static_cast<std::uint64_t>(i)).second)
            throw InputError("ZIP archive " + path_.string() + " has two members named " + name + "; expected unique names");
        names_.push_back(std::move(name));
    }
}

std::vector<std::uint8_t> ZipArchive::read(const std::string& name) const
{
    const auto it = indices_.find(name);
    if (it == indices_.end())
        throw InputError("ZIP archive " + path_.string() + " has no member " + name);
    std::lock_guard<std::mutex> lock(handle_->mutex);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(handle_->zip, it->second, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
        throw InputError(path_.string() + ": member " + name + " has no readable size (" + zip_strerror(handle_->zip) + ")");
    // Deflate expands at most ~1032:1; a larger claim is a damaged directory, refused before allocating it.
    const std::uint64_t packed = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : stat.size;
    const bool stored = (stat.valid & ZIP_STAT_COMP_METHOD) && stat.comp_method == ZIP_CM_STORE;
    if (packed > fileSize_ || stat.size > std::max<std::uint64_t>(packed, 1) * 1100 + 1024 || (stored && stat.size != packed))
        throw InputError(path_.string() + ": member " + name + " claims " + std::to_string(stat.size) +
                         " bytes, more than the archive can hold (damaged ZIP)");
    zip_file_t* file = zip_fopen_index(handle_->zip, it->second, 0);
    if (!file)
        throw InputError(path_.string() + ": member " + name + " cannot be opened (" + zip_strerror(handle_->zip) + ")");
    std::vector<std::uint8_t> data(static_cast<std::size_t>(stat.size));
    std::uint64_t done = 0;
    std::uint8_t extra = 0;
    zip_int64_t got = 0;
    while (done < data.size() && (got = zip_fread(file, data.data() + done, data.size() - done)) > 0)
        done += static_cast<std::uint64_t>(got);
    if (got >= 0 && done == data.size())
        got = zip_fread(file, &extra, 1);  // reaching the end is when libzip checks the CRC
    const std::string problem = got < 0 ? zip_file_strerror(file) : "";
    zip_fclose(file);
    if (got < 0)
        throw InputError(path_.string() + ": member " + name + " is damaged (" + problem + "; corrupt archive)");
    if (done != data.size() || got != 0)
        throw InputError(path_.string() + ": member " + name + " holds another size than its directory entry (corrupt archive)");
    return data;
}

void verifyZipMembers(const std::filesystem::path& path)
{
    const ZipArchive archive(path);
    for (const auto& name : archive.names())
        archive.read(name);
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
