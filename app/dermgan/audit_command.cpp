#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/image_store.h"
#include "data/subset_loader.h"
#include "evaluation_commands.h"
#include "common/exit_codes.h"
#include "io/atomic_file.h"
#include "io/image_io.h"
#include "metrics/feature_cache.h"
#include "metrics/memorisation_audit.h"
#include "metrics/synthetic_set.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct AuditArgs {
    std::string model, data, extractor = "derm", out = "reports", device = "auto";
    int64_t count = 0;
    int pairs = 16;
    double quantile = 0.01, psi = 1.0;
    std::uint64_t seed = 0, splitSeed = 0;
    bool json = false;
};

void runAudit(const AuditArgs& args)
{
    const auto device = selectDevice(args.device);
    TerminalProgress bar(true);
    GeneratorModel model = loadGeneratorModel(args.model, device);
    auto extractor = metrics::openFeatureExtractor(args.extractor, device);
    const auto& network = model.network();

    SubsetRequest request;
    request.dataset = args.data;
    request.splitSeed = args.splitSeed;
    request.resolution = network.resolution;
    request.progress = bar.callback();
    request.subset = "train";
    const SubsetImages train = loadSubset(request);
    request.subset = "test";
    const SubsetImages test = loadSubset(request);
    const auto features = [&](const torch::Tensor& pixels) {
        return metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(pixels), [&] { return pixels; }, bar.callback());
    };
    const auto trainFeatures = features(train.pixels), testFeatures = features(test.pixels);

    metrics::SyntheticRequest sreq;
    const int64_t count = args.count > 0 ? args.count : static_cast<int64_t>(train.size());
    sreq.perClass = metrics::syntheticCountsLike(network, train.labels, count, "real");
    sreq.psi = args.psi;
    sreq.firstSeed = args.seed * 1000000;
    const auto synthetic = metrics::generateSynthetic(model, sreq, bar.callback());
    const auto syntheticFeatures = metrics::cachedFeatures(*extractor, metrics::describeRequest(model, sreq),
                                                           [&] { return synthetic.pixels; }, bar.callback());
    bar.finish();
    const auto audit = metrics::auditMemorisation(syntheticFeatures, trainFeatures, testFeatures, args.quantile);

    // The closest pairs, side by side: synthetic left, nearest real training image right.
    std::vector<std::size_t> order(audit.distance.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return audit.distance[a] < audit.distance[b]; });
    const std::size_t shown = std::min<std::size_t>(static_cast<std::size_t>(std::max(args.pairs, 0)), order.size());
    std::filesystem::create_directories(args.out);
    std::ostringstream csv;
    csv << "rank,synthetic_seed,synthetic_class,nearest_train_image,distance,ratio_to_median_test,near_copy\n";
    std::vector<torch::Tensor> tiles;
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        const std::size_t i = order[rank];
        const auto row = static_cast<std::size_t>(audit.nearestTrain[i]);
        const int label = synthetic.labels[i];
        csv << rank + 1 << ',' << sreq.firstSeed + i << ','
            << (label >= 0 ? network.classNames[static_cast<std::size_t>(label)] : std::string("-")) << ','
            << train.index.records[train.rows[row]].imageId << ',' << audit.distance[i] << ',' << audit.ratio[i] << ','
            << (audit.nearCopy[i] ? 1 : 0) << '\n';
        if (rank < shown) {
            tiles.push_back(toModelRange(synthetic.pixels[static_cast<int64_t>(i)].unsqueeze(0)));
            tiles.push_back(toModelRange(train.pixels[static_cast<int64_t>(row)].unsqueeze(0)));
        }
    }
    writeTextFileAtomically(std::filesystem::path(args.out) / "audit-pairs.csv", csv.str());
    if (!tiles.empty())
        writePng(std::filesystem::path(args.out) / "audit-closest-pairs.png", tensorGrid(torch::cat(tiles), 8),
                 {{"Software", "dermgan"},
                  {"dermgan:synthetic", "mixed"},
                  {"Description", "Pairs: left SYNTHETIC (GAN) image, right its nearest REAL training image; closest first"},
                  {"dermgan:model_hash", model.hash}});

    nlohmann::json json = summaryJson(audit);
    json["model"] = model.path.string();
    json["model_hash"] = model.hash;
    json["extractor"] = extractor->name();
    json["train_images"] = train.size();
    json["test_images"] = test.size();
    json["synthetic_first_seed"] = sreq.firstSeed;
    char text[1024];
    std::snprintf(text, sizeof text,
                  "Memorisation audit of %s in the '%s' embedding: %zu synthetic vs %zu real training images.\n"
                  "  median nearest-training distance: synthetic %.4f, held-out real %.4f (ratio %.3f; < 1 means closer to training images than new real lesions are)\n"
                  "  flagged near-copies (closer than %.1f%% of held-out real images come): %lld of %zu (%.2f%%; about %.1f%% expected of images like new real ones)\n"
                  "  closest pairs: audit-closest-pairs.png (left synthetic, right real), all pairs: audit-pairs.csv\n",
                  model.path.filename().string().c_str(), extractor->name().c_str(), audit.distance.size(), train.size(),
                  audit.medianSyntheticDistance, audit.medianTestDistance, json["median_ratio"].get<double>(),
                  100 * args.quantile, static_cast<long long>(audit.nearCopies), audit.distance.size(),
                  100.0 * json["near_copy_fraction"].get<double>(), 100 * args.quantile);
    publishReport(args.out, "audit", json, text, args.json);
}

} // namespace

void addAuditCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<AuditArgs>();
    auto* cmd = parent.add_subcommand("audit", "Memorisation audit: nearest real training image of each synthetic image");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("--data", args->data, "The dataset the generator was trained on")->required();
    cmd->add_option("--count", args->count, "Synthetic images (default: as many as training images)");
    cmd->add_option("--extractor", args->extractor, "Embedding: derm, a .dermnet or a TorchScript .pt")->capture_default_str();
    cmd->add_option("--quantile", args->quantile, "Flag synthetic images nearer than this quantile of held-out real images")
        ->capture_default_str();
    cmd->add_option("--pairs", args->pairs, "Closest pairs shown in the PNG sheet")->capture_default_str();
    cmd->add_option("--psi", args->psi, "Truncation psi")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Synthetic seeds start at seed * 1e6")->capture_default_str();
    cmd->add_option("--split-seed", args->splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Report folder (audit.json/.txt, audit-pairs.csv, audit-closest-pairs.png)")
        ->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the summary as JSON");
    cmd->callback([args, &exitCode] {
        runAudit(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
