#pragma once
// The vectors that `dermgan embed` and the explorer's embedding view map to 2-D, with what each point is:
// derm features of real (a seeded sample of a dataset subset), synthetic (balanced over classes, seeds
// seed * 1e6 + i) and projected images, or the w vectors of the synthetic and projected ones; and the
// method that maps them.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"
#include "explain/embedding.h"
#include "explain/umap.h"
#include "model/snapshot.h"

namespace dermgan::explain {

struct MapRequest {
    std::string space = "features";       // features or w
    std::filesystem::path data;            // real images (features space)
    std::string subset = "test";
    std::uint64_t splitSeed = 0;
    std::int64_t count = 1000;             // real images, and synthetic images
    std::uint64_t seed = 0;
    std::string extractor = "derm";
    std::filesystem::path projections;     // a `dermgan project` folder made with this model (optional)
    bool thumbnails = false;               // also the images, for sprites and hover previews
};

struct MapPoint {
    std::string source;     // real, synthetic, projected
    std::string className;  // "-" when unknown
    std::string id;         // image id, "seed<N>", or the projection's stem
    int classIndex = -1;
    std::uint32_t seed = 0; // synthetic points
};

struct MapInput {
    torch::Tensor vectors;     // float [N, D] on the CPU
    std::vector<MapPoint> points;
    torch::Tensor thumbnails;  // uint8 [N, 3, R, R] when asked for
    std::string extractorFile, extractorHash;  // the feature network (features space only), for reports
};

// InputError for an unknown space, a features request without data, or projections of another model;
// CancelledError when `progress` asks to stop.
MapInput collectMapInput(const GeneratorModel& model, const MapRequest& request, const ProgressCallback& progress = {});

struct MapOptions {
    std::string method = "umap";  // a name of explain/map_methods.h
    UmapOptions umap;
    TsneOptions tsne;
};
// Whether `method` has a computation here (every method of explain/map_methods.h must: test_explain checks).
bool hasMapComputation(const std::string& method);
// [N, D] -> [N, 2] by the chosen method. InputError for an unknown method.
torch::Tensor computeMap(const torch::Tensor& vectors, const MapOptions& options, const ProgressCallback& progress = {});

} // namespace dermgan::explain
