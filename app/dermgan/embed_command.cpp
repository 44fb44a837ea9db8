#include <chrono>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <memory>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"
#include "common/runtime.h"
#include "data/image_decode.h"
#include "data/image_store.h"
#include "data/subset_loader.h"
#include "exit_codes.h"
#include "explain/embedding.h"
#include "explain/umap.h"
#include "io/npy.h"
#include "explain_commands.h"
#include "explain/projector.h"
#include "io/atomic_file.h"
#include "io/image_io.h"
#include "metrics/feature_cache.h"
#include "metrics/synthetic_set.h"
#include "nets/latents.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct EmbedArgs {
    std::string model, data, subset = "test", method = "tsne", space = "features", extractor = "derm", out = "embedding",
                device = "auto", projections;
    int64_t count = 1000;
    double perplexity = 30;
    int iterations = 1000;
    int neighbours = 15;
    double minDistance = 0.1;
    std::uint64_t seed = 0, splitSeed = 0;
    bool json = false;
    bool sprite = false;
};

struct Point {
    std::string source, className, id;
};

// The images of a `dermgan project` folder made with this model: uint8 [N, 3, R, R] projections, their
// latents (w, or the mean over layers of a W+ latent) and one point each.
struct Projections {
    torch::Tensor pixels, ws;
    std::vector<Point> points;
};

Projections readProjections(const std::filesystem::path& dir, const GeneratorModel& model)
{
    std::ifstream in(dir / "project.json");
    if (!in)
        throw InputError("--projections " + dir.string() + " has no project.json; expected a dermgan project output folder");
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.contains("images"))
        throw InputError(dir.string() + "/project.json is not a dermgan project report");
    if (json.value("model_hash", "") != model.hash)
        throw InputError("--projections " + dir.string() + " were made with model " + json.value("model_hash", "?") +
                         ", not with " + model.hash + "; project the images with this model first");
    Projections result;
    std::vector<torch::Tensor> pixels, ws;
    const int resolution = model.network().resolution;
    for (const auto& item : json.at("images")) {
        const std::string stem = item.at("group").get<std::string>() + "-" + item.at("id").get<std::string>();
        std::string note;
        pixels.push_back(explain::prepareTarget(readImageRgb(dir / (stem + "-projection.png")), resolution, note));
        ws.push_back(readNpy(dir / item.at("ws_file").get<std::string>()).to(torch::kFloat32).reshape({-1, model.network().wDim}).mean(0));
        const std::string className = item.value("class_name", "");
        result.points.push_back({"projected", className.empty() ? "-" : className, stem});
    }
    if (pixels.empty())
        throw InputError(dir.string() + "/project.json lists no projected images");
    result.pixels = torch::stack(pixels);
    result.ws = torch::stack(ws);
    return result;
}

// TensorBoard projector sprite: every point's image as a thumbnail, row-major in a grid of ceil(sqrt(N))
// columns, no padding, at most 8192 pixels a side (TensorBoard's limit).
int writeSprite(const std::filesystem::path& file, const torch::Tensor& pixels)
{
    const int64_t n = pixels.size(0);
    const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
    const int thumb = static_cast<int>(std::min<int64_t>(pixels.size(2), 8192 / columns));
    const auto small = torch::nn::functional::interpolate(
        pixels.to(torch::kFloat32), torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{thumb, thumb}).mode(torch::kArea));
    writePng(file, tensorGrid(small / 127.5 - 1.0, columns));
    return thumb;
}

const char* methodName(const std::string& method) { return method == "pca" ? "PCA" : method == "umap" ? "UMAP" : "t-SNE"; }

void runEmbed(const EmbedArgs& args)
{
    if (args.method != "tsne" && args.method != "umap" && args.method != "pca")
        throw InputError("--method '" + args.method + "' is not known; expected umap, tsne or pca");
    if (args.space != "features" && args.space != "w")
        throw InputError("--space '" + args.space + "' is not known; expected features or w");
    const auto device = selectDevice(args.device);
    GeneratorModel model = loadGeneratorModel(args.model, device);
    const auto& network = model.network();
    TerminalProgress bar(true);
    std::vector<Point> points;
    std::vector<torch::Tensor> rows, thumbnails;  // thumbnails only for --sprite
    const Projections projected = args.projections.empty() ? Projections{} : readProjections(args.projections, model);

    metrics::SyntheticRequest sreq;
    sreq.perClass = network.classCount > 0
                        ? metrics::apportion(args.count, std::vector<double>(static_cast<std::size_t>(network.classCount), 1.0))
                        : std::vector<int64_t>{args.count};
    sreq.firstSeed = args.seed * 1000000;
    const auto className = [&](int label) {
        return label >= 0 && label < static_cast<int>(network.classNames.size()) ? network.classNames[static_cast<std::size_t>(label)]
                                                                                   : std::string("-");
    };
    if (args.space == "w") {
        // W of the synthetic images (real images have a w only once projected: see dermgan project).
        torch::NoGradGuard noGrad;
        int64_t done = 0;
        for (std::size_t k = 0; k < sreq.perClass.size(); ++k) {
            std::vector<std::uint32_t> seeds;
            for (int64_t i = 0; i < sreq.perClass[k]; ++i)
                seeds.push_back(static_cast<std::uint32_t>(sreq.firstSeed + static_cast<std::uint64_t>(done + i)));
            const auto z = nets::latentsFromSeeds(seeds, network.zDim).to(device);
            const auto c = network.classCount > 0
                               ? nets::oneHot(std::vector<int64_t>(seeds.size(), static_cast<int64_t>(k)), network.classCount, z.options())
                               : torch::Tensor();
            rows.push_back(nets::MappingNetwork(model.generator->mapping)->forward(z, c).select(1, 0).cpu());
            for (auto seed : seeds)
                points.push_back({"synthetic", className(network.classCount > 0 ? static_cast<int>(k) : -1), "seed" + std::to_string(seed)});
            done += sreq.perClass[k];
        }
        if (args.sprite)
            thumbnails.push_back(metrics::generateSynthetic(model, sreq, bar.callback()).pixels);
        if (projected.ws.defined())
            rows.push_back(projected.ws);
    } else {
        if (args.data.empty())
            throw InputError("--space features needs --data (the real images to map beside the synthetic ones)");
        auto extractor = metrics::openFeatureExtractor(args.extractor, device);
        SubsetRequest request;
        request.dataset = args.data;
        request.subset = args.subset;
        request.splitSeed = args.splitSeed;
        request.resolution = network.resolution;
        request.progress = bar.callback();
        const SubsetImages real = loadSubset(request);
        std::vector<int64_t> order(real.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = static_cast<int64_t>(i);
        Rng rng(deriveSeed(args.seed, 13));
        shuffleInPlace(order, rng);
        order.resize(static_cast<std::size_t>(std::min<int64_t>(args.count, static_cast<int64_t>(order.size()))));
        const auto pixels = real.pixels.index_select(0, torch::tensor(order));
        rows.push_back(metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(pixels), [&] { return pixels; }, bar.callback()));
        thumbnails.push_back(pixels);
        for (auto i : order) {
            const int label = real.labels[static_cast<std::size_t>(i)];
            points.push_back({"real", label >= 0 ? real.index.classNames[static_cast<std::size_t>(label)] : "-",
                              real.index.records[real.rows[static_cast<std::size_t>(i)]].imageId});
        }
        const auto synthetic = metrics::generateSynthetic(model, sreq, bar.callback());
        rows.push_back(metrics::cachedFeatures(*extractor, metrics::describeRequest(model, sreq), [&] { return synthetic.pixels; },
                                               bar.callback()));
        for (std::size_t i = 0; i < synthetic.labels.size(); ++i)
            points.push_back({"synthetic", className(synthetic.labels[i]), "seed" + std::to_string(sreq.firstSeed + i)});
        thumbnails.push_back(synthetic.pixels);
        if (projected.pixels.defined())
            rows.push_back(extractor->extract(projected.pixels));
    }
    points.insert(points.end(), projected.points.begin(), projected.points.end());
    if (projected.pixels.defined())
        thumbnails.push_back(projected.pixels);
    const auto x = torch::cat(rows).to(torch::kFloat32);
    const auto started = std::chrono::steady_clock::now();
    torch::Tensor map;
    if (args.method == "pca") {
        map = explain::pcaEmbedding(x);
    } else if (args.method == "umap") {
        explain::UmapOptions options;
        options.neighbours = args.neighbours;
        options.minDistance = args.minDistance;
        options.seed = args.seed;
        map = explain::umapEmbedding(x, options, bar.callback());
    } else {
        explain::TsneOptions options;
        options.perplexity = args.perplexity;
        options.iterations = args.iterations;
        options.seed = args.seed;
        map = explain::tsneEmbedding(x, options, bar.callback());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bar.finish();
    const double trust = explain::trustworthiness(x, map, 10);
    const double preserved = explain::knnPreservation(x, map, 10);

    const std::filesystem::path out = args.out;
    std::filesystem::create_directories(out);
    std::ostringstream csv, tensors, metadata;
    csv << "x,y,source,class,id\n";
    metadata << "source\tclass\tid\n";
    const auto m = map.contiguous();
    const auto xs = x.contiguous();
    for (std::size_t i = 0; i < points.size(); ++i) {
        csv << m[static_cast<int64_t>(i)][0].item<float>() << ',' << m[static_cast<int64_t>(i)][1].item<float>() << ','
            << points[i].source << ',' << points[i].className << ',' << points[i].id << '\n';
        metadata << points[i].source << '\t' << points[i].className << '\t' << points[i].id << '\n';
        const float* row = xs.data_ptr<float>() + i * static_cast<std::size_t>(xs.size(1));
        for (int64_t j = 0; j < xs.size(1); ++j)
            tensors << (j ? "\t" : "") << row[j];
        tensors << '\n';
    }
    writeTextFileAtomically(out / "embedding.csv", csv.str());
    writeTextFileAtomically(out / "tensors.tsv", tensors.str());    // TensorBoard projector: vectors
    writeTextFileAtomically(out / "metadata.tsv", metadata.str());  // and their labels
    writeNpy(out / "features.npy", xs);                               // for numpy, umap-learn, scikit-learn
    if (args.sprite) {
        const int thumb = writeSprite(out / "sprite.png", torch::cat(thumbnails));
        writeTextFileAtomically(out / "projector_config.pbtxt",
                                "embeddings {\n  tensor_path: \"tensors.tsv\"\n  metadata_path: \"metadata.tsv\"\n"
                                "  sprite {\n    image_path: \"sprite.png\"\n    single_image_dim: " +
                                    std::to_string(thumb) + "\n    single_image_dim: " + std::to_string(thumb) + "\n  }\n}\n");
    }
    const nlohmann::json json = {{"model", model.path.string()}, {"model_hash", model.hash}, {"method", args.method},
                                 {"space", args.space}, {"points", points.size()}, {"dimensions", x.size(1)},
                                 {"seconds", seconds}, {"trustworthiness_k10", trust},
                                 {"knn_preservation_k10", preserved}};
    char text[512];
    std::snprintf(text, sizeof text,
                  "%s map of %zu %s vectors (%lld-D) in %.1f s; trustworthiness (k = 10) %.4f, k-NN preserved %.3f\n"
                  "  embedding.csv (x, y, source, class, id); tensors.tsv + metadata.tsv for the TensorBoard projector;\n"
                  "  features.npy (the mapped vectors, in embedding.csv's order)\n",
                  methodName(args.method), points.size(), args.space == "w" ? "w" : "feature",
                  static_cast<long long>(x.size(1)), seconds, trust, preserved);
    publishReport(out, "embed", json, text, args.json);
}

} // namespace

void addEmbedCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<EmbedArgs>();
    auto* cmd = parent.add_subcommand("embed", "2-D map (UMAP, t-SNE or PCA) of real and synthetic images' features, or of w vectors");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("--data", args->data, "Real dataset (features space)");
    cmd->add_option("--subset", args->subset, "Real subset")->capture_default_str();
    cmd->add_option("--count", args->count, "Real images, and synthetic images (balanced over classes)")->capture_default_str();
    cmd->add_option("--method", args->method, "umap, tsne or pca")->capture_default_str();
    cmd->add_option("--space", args->space, "features (real + synthetic) or w (synthetic)")->capture_default_str();
    cmd->add_option("--perplexity", args->perplexity, "t-SNE perplexity")->capture_default_str();
    cmd->add_option("--iterations", args->iterations, "t-SNE iterations")->capture_default_str();
    cmd->add_option("--neighbours", args->neighbours, "UMAP neighbours (the point itself included)")->capture_default_str();
    cmd->add_option("--min-dist", args->minDistance, "UMAP minimum distance in the map")->capture_default_str();
    cmd->add_option("--extractor", args->extractor, "Feature network")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
    cmd->add_option("--split-seed", args->splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Output folder")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--projections", args->projections,
                    "Also map the images of a `dermgan project` folder made with this model (source 'projected')");
    cmd->add_flag("--sprite", args->sprite, "Also write sprite.png + projector_config.pbtxt for the TensorBoard projector");
    cmd->add_flag("--json", args->json, "Print the summary as JSON");
    cmd->callback([args, &exitCode] {
        runEmbed(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
