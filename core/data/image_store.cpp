#include "data/image_store.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/image_decode.h"
#include "io/atomic_file.h"
#include "io/zip_archive.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

constexpr char kCacheMagic[8] = {'D', 'G', 'I', 'M', 'G', 'v', '1', '\n'};

std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t size)
{
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::uint64_t fnv1a(std::uint64_t hash, const std::string& text)
{
    hash = fnv1a(hash, text.data(), text.size());
    return fnv1a(hash, "\0", 1);
}

std::uint64_t fileStamp(std::uint64_t hash, const fs::path& path)
{
    std::error_code ec;
    const auto size = static_cast<std::uint64_t>(fs::file_size(path, ec));
    const auto time = static_cast<std::int64_t>(fs::last_write_time(path, ec).time_since_epoch().count());
    hash = fnv1a(hash, &size, sizeof size);
    return fnv1a(hash, &time, sizeof time);
}

// Identifies the decoded pixels: the preprocessing version, the resolution, and every source file with its
// size and modification time, so an edited or replaced image invalidates the cache.
std::uint64_t cacheKey(const DatasetIndex& index, int resolution)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    hash = fnv1a(hash, "square-crop/area-resize/rgb v2");  // v2: EXIF orientation applied
    hash = fnv1a(hash, &resolution, sizeof resolution);
    if (!index.archivePath.empty())
        hash = fileStamp(fnv1a(hash, index.archivePath.string()), index.archivePath);
    for (const auto& record : index.records) {
        hash = fnv1a(hash, record.location);
        if (index.archivePath.empty())
            hash = fileStamp(hash, record.location);
    }
    return hash;
}

template <typename T>
void writePod(std::ostream& out, const T& value) { out.write(reinterpret_cast<const char*>(&value), sizeof value); }
template <typename T>
bool readPod(std::istream& in, T& value) { return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value)); }

bool readCache(const fs::path& file, std::uint64_t key, int resolution, LoadedImages& loaded)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return false;
    char magic[8];
    std::uint64_t storedKey = 0;
    std::int32_t storedResolution = 0;
    std::uint64_t count = 0, skippedCount = 0;
    if (!in.read(magic, 8) || std::memcmp(magic, kCacheMagic, 8) != 0 || !readPod(in, storedKey) ||
        storedKey != key || !readPod(in, storedResolution) || storedResolution != resolution ||
        !readPod(in, count) || !readPod(in, skippedCount))
        return false;
    std::vector<std::uint64_t> rows(count);
    if (!in.read(reinterpret_cast<char*>(rows.data()), static_cast<std::streamsize>(count * sizeof(std::uint64_t))))
        return false;
    std::vector<std::string> skipped;
    for (std::uint64_t i = 0; i < skippedCount; ++i) {
        std::uint32_t length = 0;
        if (!readPod(in, length))
            return false;
        std::string text(length, '\0');
        if (!in.read(text.data(), length))
            return false;
        skipped.push_back(std::move(text));
    }
    auto pixels = torch::empty({static_cast<std::int64_t>(count), 3, resolution, resolution}, torch::kUInt8);
    if (!in.read(reinterpret_cast<char*>(pixels.data_ptr<std::uint8_t>()), static_cast<std::streamsize>(pixels.numel())))
        return false;  // truncated cache: decode again
    loaded.pixels = pixels;
    loaded.recordIndex.assign(rows.begin(), rows.end());
    loaded.skipped = std::move(skipped);
    loaded.fromCache = true;
    return true;
}

void writeCache(const fs::path& file, std::uint64_t key, int resolution, const LoadedImages& loaded)
{
    writeFileAtomically(file, [&](std::ostream& out) {
        out.write(kCacheMagic, 8);
        writePod(out, key);
        writePod(out, static_cast<std::int32_t>(resolution));
        writePod(out, static_cast<std::uint64_t>(loaded.recordIndex.size()));
        writePod(out, static_cast<std::uint64_t>(loaded.skipped.size()));
        for (std::size_t row : loaded.recordIndex)
            writePod(out, static_cast<std::uint64_t>(row));
        for (const auto& text : loaded.skipped) {
            writePod(out, static_cast<std::uint32_t>(text.size()));
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
        }
        out.write(reinterpret_cast<const char*>(loaded.pixels.data_ptr<std::uint8_t>()),
                  static_cast<std::streamsize>(loaded.pixels.numel()));
    });
}

std::string hex(std::uint64_t value)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

LoadedImages decodeAll(const DatasetIndex& index, const ImageLoadOptions& options)
{
    const std::size_t n = index.records.size();
    const int r = options.resolution;
    auto pixels = torch::empty({static_cast<std::int64_t>(n), 3, r, r}, torch::kUInt8);
    std::uint8_t* base = pixels.data_ptr<std::uint8_t>();
    const std::size_t imageBytes = static_cast<std::size_t>(3) * r * r;

    std::unique_ptr<ZipArchive> archive;
    if (!index.archivePath.empty())
        archive = std::make_unique<ZipArchive>(index.archivePath);

    std::vector<std::string> failure(n);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    auto work = [&] {
        for (std::size_t i = next++; i < n && !stop; i = next++) {
            const ImageRecord& record = index.records[i];
            try {
                const cv::Mat rgb = archive ? decodeImageRgb(archive->read(record.location), record.location)
                                            : readImageRgb(record.location);
                const cv::Mat square = squareCropResize(rgb, r);
                // HWC (OpenCV) -> CHW (torch).
                std::uint8_t* out = base + i * imageBytes;
                for (int y = 0; y < r; ++y) {
                    const std::uint8_t* row = square.ptr<std::uint8_t>(y);
                    for (int x = 0; x < r; ++x)
                        for (int c = 0; c < 3; ++c)
                            out[(static_cast<std::size_t>(c) * r + y) * r + x] = row[3 * x + c];
                }
            } catch (const InputError& e) {
                failure[i] = e.what();
                if (!options.skipBad)
                    stop = true;
            }
            ++done;
        }
    };
    const int threads = resolveThreadCount(options.threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back(work);
    bool cancelled = false;
    while (done < n && !stop) {
        if (options.progress && !options.progress({"decoding images", done.load(), n})) {
            cancelled = true;
            stop = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (auto& worker : workers)
        worker.join();
    if (cancelled)
        throw CancelledError();
    reportProgress(options.progress, {"decoding images", done.load(), n});

    LoadedImages loaded;
    std::vector<std::int64_t> keep;
    for (std::size_t i = 0; i < n; ++i) {
        if (failure[i].empty()) {
            keep.push_back(static_cast<std::int64_t>(i));
            loaded.recordIndex.push_back(i);
            continue;
        }
        if (!options.skipBad)
            throw InputError(failure[i] + " (pass --skip-bad to skip unreadable images)");
        loaded.skipped.push_back(index.records[i].imageId + ": " + failure[i]);
    }
    if (keep.empty())
        throw InputError("no image of " + index.root.string() + " could be decoded");
    loaded.pixels = keep.size() == n ? pixels : pixels.index_select(0, torch::tensor(keep));
    return loaded;
}

} // namespace

fs::path defaultCacheDir()
{
    if (const char* dir = std::getenv("DERMGAN_CACHE_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return fs::path(xdg) / "dermgan";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".cache" / "dermgan";
    return fs::temp_directory_path() / "dermgan-cache";
}

LoadedImages loadImages(const DatasetIndex& index, const ImageLoadOptions& options)
{
    requireSupportedImageResolution(options.resolution);
    if (index.records.empty())
        throw InputError("dataset " + index.root.string() + " has no images to load");
    fs::path cacheFile;
    std::uint64_t key = 0;
    if (options.useCache) {
        key = cacheKey(index, options.resolution);
        cacheFile = (options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir) /
                    ("images-" + std::to_string(options.resolution) + "-" + hex(key) + ".u8");
        LoadedImages cached;
        if (readCache(cacheFile, key, options.resolution, cached)) {
            if (!cached.skipped.empty() && !options.skipBad)
                throw InputError(cached.skipped.front() + " (pass --skip-bad to skip unreadable images)");
            cached.cacheFile = cacheFile;
            reportProgress(options.progress, {"reading image cache", cached.size(), cached.size()});
            return cached;
        }
    }
    LoadedImages loaded = decodeAll(index, options);
    if (options.useCache) {
        try {
            writeCache(cacheFile, key, options.resolution, loaded);
            loaded.cacheFile = cacheFile;
        } catch (const InputError&) {
            // An unwritable cache folder costs speed next time, not correctness.
        }
    }
    return loaded;
}

torch::Tensor toModelRange(const torch::Tensor& pixels)
{
    return pixels.to(torch::kFloat32).div(127.5).sub(1.0);
}

torch::Tensor toPixels(const torch::Tensor& images)
{
    return images.add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8);
}

torch::Tensor imageBatch(const LoadedImages& images, const std::vector<std::int64_t>& rows, bool xflip, Rng& rng)
{
    auto batch = toModelRange(images.pixels.index_select(0, torch::tensor(rows)));
    if (xflip) {
        std::vector<std::int64_t> mirrored;
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (uniformBelow(rng, 2) == 1)
                mirrored.push_back(static_cast<std::int64_t>(i));
        if (!mirrored.empty()) {
            const auto which = torch::tensor(mirrored);
            batch.index_copy_(0, which, batch.index_select(0, which).flip({3}));
        }
    }
    return batch;
}

} // namespace dermgan
