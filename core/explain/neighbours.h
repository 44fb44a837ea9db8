#pragma once
// The nearest real and synthetic neighbours of one image (typically a projection) in the derm feature space,
// by cosine similarity: does the projection land near the training images (memorisation, or just a good
// fit?) and which seeds of the generator look most like it. Real images come from a dataset subset, all of
// it; synthetic ones are seeds 0..count-1 of one class, the seeds the explorer's generate view shows.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/progress.h"
#include "model/snapshot.h"

namespace dermgan::explain {

struct NeighbourRequest {
    std::filesystem::path data;      // real images; empty: synthetic neighbours only
    std::string subset = "train";    // lesion-grouped split subset (train: what the generator saw)
    std::uint64_t splitSeed = 0;
    std::int64_t syntheticCount = 1000;
    int classIndex = -1;             // conditional models: the class of the synthetic pool (required)
    int k = 3;
    std::string extractor = "derm";
};

struct Neighbour {
    std::string id;          // real image id, or "seed<N>"
    int classIndex = -1;
    std::uint32_t seed = 0;  // synthetic neighbours
    double cosine = 0;       // feature cosine similarity to the query, in [-1, 1]
    torch::Tensor image;     // uint8 [3, R, R]
};

struct Neighbours {
    std::vector<Neighbour> real, synthetic;  // nearest first
    std::string className;                   // the synthetic pool's class ("" unconditional)
};

// `query`: uint8 [3, R, R] at the model's resolution. Features are cached (metrics/feature_cache.h).
// InputError for a class out of range or a dataset whose classes differ from the model's.
Neighbours nearestNeighbours(const GeneratorModel& model, const torch::Tensor& query, const NeighbourRequest& request,
                             const ProgressCallback& progress = {});

} // namespace dermgan::explain
