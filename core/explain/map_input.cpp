#include "explain/map_input.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"
#include "data/image_decode.h"
#include "data/subset_loader.h"
#include "explain/map_methods.h"
#include "explain/projector.h"
#include "io/file_errors.h"
#include "io/npy.h"
#include "metrics/feature_cache.h"
#include "metrics/feature_extractor.h"
#include "metrics/synthetic_set.h"
#include "nets/latents.h"

namespace dermgan::explain {

namespace {

struct Projections {
    torch::Tensor pixels, ws;  // uint8 [N, 3, R, R]; w per image (the mean over layers of a W+ latent)
    std::vector<MapPoint> points;
};

Projections readProjectionsUnchecked(const std::filesystem::path& dir, const GeneratorModel& model)
{
    std::ifstream in(dir / "project.json");
    if (!in)
        throw InputError("projections folder " + dir.string() + " has no project.json; expected a dermgan project output folder");
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.contains("images"))
        throw InputError(dir.string() + "/project.json is not a dermgan project report");
    if (json.value("model_hash", "") != model.hash)
        throw InputError("projections in " + dir.string() + " were made with model " + json.value("model_hash", "?") +
                         ", not with " + model.hash + "; project the images with this model first");
    const auto& network = model.network();
    Projections result;
    std::vector<torch::Tensor> pixels, ws;
    for (const auto& item : json.at("images")) {
        const std::string stem = item.at("group").get<std::string>() + "-" + item.at("id").get<std::string>();
        std::string note;
        pixels.push_back(prepareTarget(readImageRgb(dir / (stem + "-projection.png")), network.resolution, note));
        ws.push_back(readProjectionWs(dir / item.at("ws_file").get<std::string>(), network).mean(0));
        const std::string className = item.value("class_name", "");
        int classIndex = -1;
        for (std::size_t k = 0; k < network.classNames.size(); ++k)
            if (network.classNames[k] == className)
                classIndex = static_cast<int>(k);
        result.points.push_back({"projected", className.empty() ? "-" : className, stem, classIndex, 0});
    }
    if (pixels.empty())
        throw InputError(dir.string() + "/project.json lists no projected images");
    result.pixels = torch::stack(pixels);
    result.ws = torch::stack(ws);
    return result;
}

Projections readProjections(const std::filesystem::path& dir, const GeneratorModel& model)
{
    return readingFile(dir / "project.json", "a dermgan project report (made by dermgan project --out)",
                       [&] { return readProjectionsUnchecked(dir, model); });
}

} // namespace

MapInput collectMapInput(const GeneratorModel& model, const MapRequest& request, const ProgressCallback& progress)
{
    if (request.space != "features" && request.space != "w")
        throw InputError("map space '" + request.space + "' is not known; expected features or w");
    if (request.space == "features" && request.data.empty())
        throw InputError("a map of features needs a dataset (the real images to map beside the synthetic ones)");
    const auto& network = model.network();
    const Projections projected = request.projections.empty() ? Projections{} : readProjections(request.projections, model);
    const auto className = [&](int label) {
        return label >= 0 && label < static_cast<int>(network.classNames.size()) ? network.classNames[static_cast<std::size_t>(label)]
                                                                                   : std::string("-");
    };

    metrics::SyntheticRequest synthetic;
    synthetic.perClass = network.classCount > 0
                             ? metrics::apportion(request.count, std::vector<double>(static_cast<std::size_t>(network.classCount), 1.0))
                             : std::vector<int64_t>{request.count};
    synthetic.firstSeed = request.seed * 1000000;
    std::vector<MapPoint> syntheticPoints;
    for (std::size_t k = 0, i = 0; k < synthetic.perClass.size(); ++k)
        for (int64_t j = 0; j < synthetic.perClass[k]; ++j, ++i) {
            const int label = network.classCount > 0 ? static_cast<int>(k) : -1;
            const auto seed = static_cast<std::uint32_t>(synthetic.firstSeed + i);
            syntheticPoints.push_back({"synthetic", className(label), "seed" + std::to_string(seed), label, seed});
        }

    GeneratorModel generator = model;  // shares the weights; generateSynthetic wants a mutable handle
    MapInput input;
    std::vector<torch::Tensor> rows, thumbnails;
    if (request.space == "w") {
        // W of the synthetic images (real images have a w only once projected: see dermgan project).
        torch::NoGradGuard noGrad;
        nets::MappingNetwork mapping = model.generator->mapping;
        int64_t done = 0;
        for (std::size_t k = 0; k < synthetic.perClass.size(); ++k) {
            std::vector<std::uint32_t> seeds;
            for (int64_t i = 0; i < synthetic.perClass[k]; ++i)
                seeds.push_back(syntheticPoints[static_cast<std::size_t>(done + i)].seed);
            const auto z = nets::latentsFromSeeds(seeds, network.zDim).to(model.device);
            const auto c = network.classCount > 0
                               ? nets::oneHot(std::vector<int64_t>(seeds.size(), static_cast<int64_t>(k)), network.classCount, z.options())
                               : torch::Tensor();
            rows.push_back(mapping->forward(z, c).select(1, 0).cpu());
            done += synthetic.perClass[k];
        }
        if (request.thumbnails)
            thumbnails.push_back(metrics::generateSynthetic(generator, synthetic, progress).pixels);
        input.points = syntheticPoints;
        if (projected.ws.defined())
            rows.push_back(projected.ws);
    } else {
        auto extractor = metrics::openFeatureExtractor(request.extractor, model.device);
        input.extractorFile = extractor->path().string();
        input.extractorHash = extractor->hash();
        SubsetRequest subset;
        subset.dataset = request.data;
        subset.subset = request.subset;
        subset.splitSeed = request.splitSeed;
        subset.resolution = network.resolution;
        subset.progress = progress;
        const SubsetImages real = loadSubset(subset);
        std::vector<int64_t> order(real.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = static_cast<int64_t>(i);
        Rng rng(deriveSeed(request.seed, 13));
        shuffleInPlace(order, rng);
        order.resize(static_cast<std::size_t>(std::min<int64_t>(request.count, static_cast<int64_t>(order.size()))));
        const auto pixels = real.pixels.index_select(0, torch::tensor(order));
        rows.push_back(metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(pixels), [&] { return pixels; }, progress));
        thumbnails.push_back(pixels);
        for (auto i : order) {
            const int label = real.labels[static_cast<std::size_t>(i)];
            input.points.push_back({"real", label >= 0 ? real.index.classNames[static_cast<std::size_t>(label)] : "-",
                                    real.index.records[real.rows[static_cast<std::size_t>(i)]].imageId, label, 0});
        }
        const auto generated = metrics::generateSynthetic(generator, synthetic, progress);
        rows.push_back(metrics::cachedFeatures(*extractor, metrics::describeRequest(model, synthetic), [&] { return generated.pixels; },
                                               progress));
        thumbnails.push_back(generated.pixels);
        input.points.insert(input.points.end(), syntheticPoints.begin(), syntheticPoints.end());
        if (projected.pixels.defined())
            rows.push_back(extractor->extract(projected.pixels));
    }
    input.points.insert(input.points.end(), projected.points.begin(), projected.points.end());
    if (projected.pixels.defined())
        thumbnails.push_back(projected.pixels);
    input.vectors = torch::cat(rows).to(torch::kFloat32).contiguous();
    if (request.thumbnails)
        input.thumbnails = torch::cat(thumbnails);
    return input;
}

namespace {

// The computation of each method of explain/map_methods.h, by name.
using MapComputation = torch::Tensor (*)(const torch::Tensor& vectors, const MapOptions& options, const ProgressCallback& progress);
const std::pair<const char*, MapComputation> kComputations[] = {
    {"umap", [](const torch::Tensor& v, const MapOptions& o, const ProgressCallback& p) { return umapEmbedding(v, o.umap, p); }},
    {"tsne", [](const torch::Tensor& v, const MapOptions& o, const ProgressCallback& p) { return tsneEmbedding(v, o.tsne, p); }},
    {"pca", [](const torch::Tensor& v, const MapOptions&, const ProgressCallback&) { return pcaEmbedding(v); }},
};

} // namespace

bool hasMapComputation(const std::string& method)
{
    return std::any_of(std::begin(kComputations), std::end(kComputations), [&](const auto& c) { return method == c.first; });
}

torch::Tensor computeMap(const torch::Tensor& vectors, const MapOptions& options, const ProgressCallback& progress)
{
    for (const auto& [name, compute] : kComputations)
        if (options.method == name)
            return compute(vectors, options, progress);
    throw InputError("map method '" + options.method + "' is not known; expected " + mapMethodNameList());
}

} // namespace dermgan::explain
