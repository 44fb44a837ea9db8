#include "metrics/feature_cache.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "common/hashing.h"
#include "data/image_store.h"
#include "io/tagged_archive.h"

namespace dermgan::metrics {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFeatureFormat = "dermgan-features";
constexpr int kFeatureVersion = 1;

} // namespace

std::string tensorHash(const torch::Tensor& t)
{
    const auto c = t.cpu().contiguous();
    const auto sizes = c.sizes().vec();
    std::uint64_t hash = fnvWords(sizes.data(), sizes.size() * sizeof(int64_t));
    hash = fnvWords(c.data_ptr(), static_cast<std::size_t>(c.numel()) * c.element_size(), hash);
    return hex16(hash);
}

torch::Tensor cachedFeatures(FeatureExtractor& extractor, const std::string& sourceKey,
                             const std::function<torch::Tensor()>& pixels, const ProgressCallback& progress,
                             bool useCache)
{
    const std::string key = extractor.hash() + "|" + sourceKey;
    const fs::path file = defaultCacheDir() / "features" / (extractor.name() + "-" + hex16(fnvWords(key.data(), key.size())) + ".dgf");
    std::error_code ec;
    if (useCache && fs::is_regular_file(file, ec)) {
        try {
            auto archive = openTaggedArchive(file, kFeatureFormat, kFeatureVersion, "feature cache").archive;
            if (readJsonEntry(archive, "key", file).get<std::string>() == key) {
                torch::Tensor features;
                archive.read("features", features);
                return features;
            }
        } catch (const std::exception&) {
            // A damaged cache entry is recomputed and overwritten.
        }
    }
    const torch::Tensor features = extractor.extract(pixels(), progress);
    if (useCache) {
        fs::create_directories(file.parent_path(), ec);
        torch::serialize::OutputArchive archive;
        writeFormatTag(archive, kFeatureFormat, kFeatureVersion);
        writeJsonEntry(archive, "key", key);
        archive.write("features", features);
        try {
            saveArchive(archive, {file});
        } catch (const std::exception&) {
            // A read-only cache costs time, not correctness.
        }
    }
    return features;
}

} // namespace dermgan::metrics
