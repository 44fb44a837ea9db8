#pragma once
// Pixels of a whole dataset at one resolution, decoded in parallel and cached on disk, so that the second
// load of 10k images is a single file read. The cache never goes into the dataset folder (which may be
// read-only): it lives in $DERMGAN_CACHE_DIR, else $XDG_CACHE_HOME/dermgan, else ~/.cache/dermgan.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"
#include "common/random.h"
#include "data/dataset.h"

namespace dermgan {

struct ImageLoadOptions {
    int resolution = 64;
    bool skipBad = false;            // skip corrupt images (listed in LoadedImages::skipped) instead of failing
    int threads = 0;                 // decoding threads; 0 = one per core
    bool useCache = true;
    std::filesystem::path cacheDir;  // empty = defaultCacheDir()
    ProgressCallback progress;
};

struct LoadedImages {
    torch::Tensor pixels;                  // uint8 [N, 3, R, R], RGB, N = recordIndex.size()
    std::vector<std::size_t> recordIndex;  // the DatasetIndex::records row of each image
    std::vector<std::string> skipped;      // "<image>: <why>" for each image skipped under skipBad
    bool fromCache = false;
    std::filesystem::path cacheFile;       // where the cache was read or written (empty when unused)

    std::size_t size() const { return recordIndex.size(); }
};

std::filesystem::path defaultCacheDir();

// Throws InputError for a bad resolution, or for the first corrupt image unless skipBad;
// CancelledError when the progress callback asks to stop.
LoadedImages loadImages(const DatasetIndex& index, const ImageLoadOptions& options);

// uint8 RGB [N,3,R,R] -> float [-1, 1].
torch::Tensor toModelRange(const torch::Tensor& pixels);
// float [-1, 1] -> uint8 [0, 255], rounding and clamping.
torch::Tensor toPixels(const torch::Tensor& images);

// The images at `rows` in model range, each mirrored left-right with probability 1/2 when `xflip`.
torch::Tensor imageBatch(const LoadedImages& images, const std::vector<std::int64_t>& rows, bool xflip, Rng& rng);

} // namespace dermgan
