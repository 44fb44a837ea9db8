#include "explain/neighbours.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "data/subset_loader.h"
#include "metrics/feature_cache.h"
#include "metrics/feature_extractor.h"
#include "metrics/synthetic_set.h"

namespace dermgan::explain {

namespace {

// Rows of `pool` ordered by cosine similarity to `query` [1, D], the k nearest.
std::pair<std::vector<int64_t>, std::vector<double>> nearest(const torch::Tensor& query, const torch::Tensor& pool, int k)
{
    const auto q = torch::nn::functional::normalize(query.to(torch::kFloat32), torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto p = torch::nn::functional::normalize(pool.to(torch::kFloat32), torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto similarity = p.matmul(q.t()).squeeze(1);
    const auto top = similarity.topk(std::min<int64_t>(k, similarity.size(0)));
    std::vector<int64_t> rows;
    std::vector<double> cosines;
    for (int64_t i = 0; i < std::get<1>(top).size(0); ++i) {
        rows.push_back(std::get<1>(top)[i].item<int64_t>());
        cosines.push_back(std::get<0>(top)[i].item<double>());
    }
    return {rows, cosines};
}

} // namespace

Neighbours nearestNeighbours(const GeneratorModel& model, const torch::Tensor& query, const NeighbourRequest& request,
                             const ProgressCallback& progress)
{
    const auto& network = model.network();
    const bool conditional = network.classCount > 0;
    if (conditional && (request.classIndex < 0 || request.classIndex >= network.classCount))
        throw InputError("neighbours: class " + std::to_string(request.classIndex) + " is out of range; the model has " +
                         std::to_string(network.classCount) + " classes");
    if (request.k < 1 || request.syntheticCount < 1)
        throw InputError("neighbours: k and the synthetic count must be at least 1");
    auto extractor = metrics::openFeatureExtractor(request.extractor, model.device);
    const auto queryFeatures = extractor->extract(query.unsqueeze(0));
    Neighbours result;

    metrics::SyntheticRequest synthetic;
    synthetic.perClass = conditional ? std::vector<int64_t>(static_cast<std::size_t>(network.classCount), 0) : std::vector<int64_t>{0};
    synthetic.perClass[conditional ? static_cast<std::size_t>(request.classIndex) : 0] = request.syntheticCount;
    result.className = conditional ? network.classNames[static_cast<std::size_t>(request.classIndex)] : "";
    GeneratorModel generator = model;  // shares the weights; generateSynthetic wants a mutable handle
    torch::Tensor generated;
    const auto syntheticFeatures = metrics::cachedFeatures(*extractor, metrics::describeRequest(model, synthetic), [&] {
        generated = metrics::generateSynthetic(generator, synthetic, progress).pixels;
        return generated;
    }, progress);
    const auto [seedRows, seedCosines] = nearest(queryFeatures, syntheticFeatures, request.k);
    for (std::size_t i = 0; i < seedRows.size(); ++i) {
        // Seed firstSeed + i: re-made one by one when the features came from the cache.
        const auto seed = static_cast<std::uint32_t>(synthetic.firstSeed + seedRows[i]);
        torch::Tensor image;
        if (generated.defined()) {
            image = generated[seedRows[i]];
        } else {
            metrics::SyntheticRequest one = synthetic;
            for (auto& n : one.perClass)
                n = n > 0 ? 1 : 0;
            one.firstSeed = seed;
            image = metrics::generateSynthetic(generator, one).pixels[0];
        }
        result.synthetic.push_back({"seed" + std::to_string(seed), conditional ? request.classIndex : -1, seed, seedCosines[i], image});
    }

    if (!request.data.empty()) {
        SubsetRequest subset;
        subset.dataset = request.data;
        subset.subset = request.subset;
        subset.splitSeed = request.splitSeed;
        subset.resolution = network.resolution;
        subset.progress = progress;
        const SubsetImages real = loadSubset(subset);
        if (conditional && real.index.classNames != network.classNames)
            throw InputError("dataset " + request.data.string() + " has other classes than the generator");
        const auto features = metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(real.pixels),
                                                      [&] { return real.pixels; }, progress);
        const auto [rows, cosines] = nearest(queryFeatures, features, request.k);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto row = static_cast<std::size_t>(rows[i]);
            result.real.push_back({real.index.records[real.rows[row]].imageId, real.labels[row], 0, cosines[i], real.pixels[rows[i]]});
        }
    }
    return result;
}

} // namespace dermgan::explain
