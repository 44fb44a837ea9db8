#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "common/exit_codes.h"
#include "explain/embedding.h"
#include "explain/embedding_plot.h"
#include "explain/map_input.h"
#include "explain/map_methods.h"
#include "explain_commands.h"
#include "io/atomic_file.h"
#include "io/image_io.h"
#include "io/npy.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

std::string fixedText(double value, int digits)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

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
    bool plot = false;
};

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

// Figures' label of a checked method name ("t-SNE").
const char* methodName(const std::string& method) { return explain::findMapMethod(method)->label.c_str(); }

// The --method help: a line per map method ("umap: what it keeps").
std::string methodHelp()
{
    std::string help = "Map method:";
    for (const auto& method : explain::mapMethods())
        help += "\n  " + method.name + ": " + method.help;
    return help;
}

void runEmbed(const EmbedArgs& args)
{
    if (!explain::findMapMethod(args.method))
        throw InputError("--method '" + args.method + "' is not known; expected " + explain::mapMethodNameList());
    if (args.space != "features" && args.space != "w")
        throw InputError("--space '" + args.space + "' is not known; expected features or w");
    const auto device = selectDevice(args.device);
    GeneratorModel model = loadGeneratorModel(args.model, device);
    TerminalProgress bar(true);
    explain::MapRequest request;
    request.space = args.space;
    request.data = args.data;
    request.subset = args.subset;
    request.splitSeed = args.splitSeed;
    request.count = args.count;
    request.seed = args.seed;
    request.extractor = args.extractor;
    request.projections = args.projections;
    request.thumbnails = args.sprite;
    const auto input = explain::collectMapInput(model, request, bar.callback());
    const auto& points = input.points;
    const auto& x = input.vectors;
    const auto started = std::chrono::steady_clock::now();
    explain::MapOptions options;
    options.method = args.method;
    options.umap.neighbours = args.neighbours;
    options.umap.minDistance = args.minDistance;
    options.umap.seed = args.seed;
    options.tsne.perplexity = args.perplexity;
    options.tsne.iterations = args.iterations;
    options.tsne.seed = args.seed;
    const auto map = explain::computeMap(x, options, bar.callback());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bar.finish();
    const auto quality = explain::measureMapQuality(x, map, 10);
    const double trust = quality.trustworthiness.value_or(std::nan(""));
    const double preserved = quality.knnPreserved.value_or(std::nan(""));

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
        const int thumb = writeSprite(out / "sprite.png", input.thumbnails);
        writeTextFileAtomically(out / "projector_config.pbtxt",
                                "embeddings {\n  tensor_path: \"tensors.tsv\"\n  metadata_path: \"metadata.tsv\"\n"
                                "  sprite {\n    image_path: \"sprite.png\"\n    single_image_dim: " +
                                    std::to_string(thumb) + "\n    single_image_dim: " + std::to_string(thumb) + "\n  }\n}\n");
    }
    if (args.plot) {
        std::vector<explain::PlotPoint> plotted;
        std::vector<std::string> classNames;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const int c = points[i].classIndex;
            plotted.push_back({m[static_cast<int64_t>(i)][0].item<float>(), m[static_cast<int64_t>(i)][1].item<float>(),
                               points[i].source, c});
            if (c >= 0 && static_cast<std::size_t>(c) >= classNames.size())
                classNames.resize(static_cast<std::size_t>(c) + 1);
            if (c >= 0)
                classNames[static_cast<std::size_t>(c)] = points[i].className;
        }
        char title[256];
        const std::string readout = quality.trustworthiness ? "trustworthiness " + fixedText(trust, 3)
                                                            : std::to_string(points.size()) + " points, too few for trustworthiness";
        std::snprintf(title, sizeof title, "%s of %s, %s (%s); %s", methodName(args.method),
                      args.space == "w" ? "w vectors" : "derm features", model.path.filename().string().c_str(),
                      model.hash.c_str(), readout.c_str());
        writePng(out / "embedding.png", explain::drawEmbeddingPlot(plotted, classNames, title),
                 {{"Software", "dermgan"}, {"Description", "2-D map of real and synthetic images (points only, no images)"}});
    }
    nlohmann::json json = {{"model", model.path.string()}, {"model_hash", model.hash}, {"method", args.method},
                           {"space", args.space}, {"points", points.size()}, {"dimensions", x.size(1)},
                           {"seconds", seconds},
                           {"trustworthiness_k10", quality.trustworthiness ? nlohmann::json(trust) : nlohmann::json()},
                           {"knn_preservation_k10", quality.knnPreserved ? nlohmann::json(preserved) : nlohmann::json()}};
    if (!input.extractorHash.empty()) {  // which network the features came from (features space)
        json["extractor_file"] = input.extractorFile;
        json["extractor_hash"] = input.extractorHash;
    }
    const std::string readouts = quality.trustworthiness
                                     ? "trustworthiness (k = 10) " + fixedText(trust, 4) + ", k-NN preserved " + fixedText(preserved, 3)
                                     : quality.note;
    char text[768];
    std::snprintf(text, sizeof text,
                  "%s map of %zu %s vectors (%lld-D) in %.1f s; %s\n"
                  "  embedding.csv (x, y, source, class, id); tensors.tsv + metadata.tsv for the TensorBoard projector;\n"
                  "  features.npy (the mapped vectors, in embedding.csv's order)%s\n",
                  methodName(args.method), points.size(), args.space == "w" ? "w" : "feature",
                  static_cast<long long>(x.size(1)), seconds, readouts.c_str(),
                  args.plot ? "; embedding.png (the map, one panel per source)" : "");
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
    cmd->add_option("--method", args->method, methodHelp())->capture_default_str();
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
    cmd->add_flag("--plot", args->plot, "Also write embedding.png: one panel per source on shared axes, coloured by class");
    cmd->add_flag("--json", args->json, "Print the summary as JSON");
    cmd->callback([args, &exitCode] {
        runEmbed(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
