// Prints how fast a dataset's pixels load: decoding with 1 and with all threads, then from the cache.
// Usage: bench_dataset_load [DATASET] [RESOLUTION]   (default ../shared/data/ham10000, 64)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/image_store.h"

using namespace dermgan;

int main(int argc, char** argv)
{
    const std::string path = argc > 1 ? argv[1] : "../shared/data/ham10000";
    const int resolution = argc > 2 ? std::atoi(argv[2]) : 64;
    try {
        const auto cacheDir = std::filesystem::temp_directory_path() / "dermgan-bench-cache";
        std::filesystem::remove_all(cacheDir);
        const auto t0 = std::chrono::steady_clock::now();
        const DatasetIndex index = openDataset(path);
        const double indexSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("dataset %s: %zu images, index built in %.3f s\n", path.c_str(), index.records.size(), indexSeconds);

        auto measure = [&](const char* label, int threads, bool cache) {
            ImageLoadOptions options;
            options.resolution = resolution;
            options.threads = threads;
            options.useCache = cache;
            options.cacheDir = cacheDir;
            const auto start = std::chrono::steady_clock::now();
            const auto images = loadImages(index, options);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("%-28s %6zu images  %7.3f s  %9.0f images/s%s\n", label, images.size(), s,
                        images.size() / s, images.fromCache ? "  (cache)" : "");
            return s;
        };
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const double one = measure("decode, 1 thread", 1, false);
        const double all = measure(("decode, " + std::to_string(cores) + " threads").c_str(), cores, false);
        measure("decode + write cache", cores, true);
        const double cached = measure("read cache", cores, true);
        std::printf("speed-up: %.2fx from %d threads, %.0fx from the cache (vs all-thread decoding)\n", one / all,
                    cores, all / cached);
        std::filesystem::remove_all(cacheDir);
    } catch (const InputError& e) {
        std::fprintf(stderr, "bench_dataset_load: %s\n", e.what());
        return 3;
    }
    return 0;
}
