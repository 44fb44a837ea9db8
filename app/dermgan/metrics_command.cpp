#include <cstdio>
#include <memory>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"
#include "common/runtime.h"
#include "data/subset_loader.h"
#include "evaluation_commands.h"
#include "common/exit_codes.h"
#include "invocation.h"
#include "model_arguments.h"
#include "metrics/distribution_metrics.h"
#include "metrics/feature_cache.h"
#include "metrics/metric_catalogue.h"
#include "metrics/synthetic_set.h"
#include "metrics/training_speed.h"
#include "metrics/two_sample_test.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct MetricsArgs {
    std::string model, data, subset = "test", extractor = "derm", metricList = metrics::metricOption(true), out = "reports",
                device = "auto", balance = "real", trainingLog, noise = "const";
    int64_t count = 0;
    int kPr = 3, kDc = 5, kidSubsets = 100;
    int64_t kidSubsetSize = 1000;
    double psi = 1.0;
    std::uint64_t seed = 0, splitSeed = 0;
    bool perClass = false, noBaseline = false, noCache = false, json = false;
};

// Rows of `labels` equal to `label`, as a tensor index.
torch::Tensor rowsWithLabel(const std::vector<int>& labels, int label)
{
    std::vector<int64_t> rows;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == label)
            rows.push_back(static_cast<int64_t>(i));
    return torch::tensor(rows, torch::kLong);
}

// The two-sample test of `other` against `real`, added to `json`; its text line. Sets too small for it are
// skipped with the reason (in "c2st_skipped"), as per-class metrics are, so that the other metrics stand.
std::string runTwoSampleTest(const torch::Tensor& real, const torch::Tensor& other, const metrics::TwoSampleTestOptions& options,
                             nlohmann::json& json, TerminalProgress& bar)
{
    try {
        const auto test = metrics::classifierTwoSampleTest(real, other, options, bar.callback());
        bar.finish();
        json.update(metrics::toJson(test));
        return metrics::toText(test);
    } catch (const InputError& e) {
        bar.finish();
        json["c2st_skipped"] = e.what();
        return std::string("C2ST skipped (") + e.what() + ")";
    }
}

// The --metrics help: "Comma list of:" and a line per catalogue metric ("fid: what it measures").
std::string metricsHelp()
{
    std::string help = "Comma list of:";
    for (const auto& metric : metrics::metricCatalogue())
        help += "\n  " + metric.name + ": " + metric.help;
    return help;
}

void runMetrics(const MetricsArgs& args)
{
    const auto device = selectDevice(args.device);
    TerminalProgress bar(true);
    GeneratorModel model = loadGeneratorModel(args.model, device);
    auto extractor = metrics::openFeatureExtractor(args.extractor, device);
    const auto& network = model.network();

    SubsetRequest request;
    request.dataset = args.data;
    request.subset = args.subset;
    request.splitSeed = args.splitSeed;
    request.resolution = network.resolution;
    request.progress = bar.callback();
    const SubsetImages real = loadSubset(request);
    const bool conditional = network.classCount > 0;
    if (conditional && network.classNames != real.index.classNames)
        throw InputError("generator " + args.model + " has other classes than dataset " + args.data);

    metrics::DistributionOptions options;
    const auto metricNames = splitList(args.metricList);
    options.metrics = std::set<std::string>(metricNames.begin(), metricNames.end());
    for (const auto& name : options.metrics)
        if (!metrics::findMetric(name))
            throw InputError("--metrics: metric '" + name + "' is not known; expected a comma list of " + metrics::metricNameList());
    // The two-sample test reads pixels, the others the extractor's features.
    const bool twoSampleTest = options.metrics.erase("c2st") > 0;
    metrics::TwoSampleTestOptions c2stOptions;
    c2stOptions.seed = args.seed;
    c2stOptions.device = device;
    options.kPrecisionRecall = args.kPr;
    options.kDensityCoverage = args.kDc;
    options.kid.subsets = args.kidSubsets;
    options.kid.maxSubsetSize = args.kidSubsetSize;
    options.kid.seed = args.seed;

    const auto realFeatures = metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(real.pixels),
                                                      [&] { return real.pixels; }, bar.callback(), !args.noCache);
    // The synthetic set: as many images as the real set, in the real set's class frequencies by default.
    const int64_t count = args.count > 0 ? args.count : static_cast<int64_t>(real.size());
    metrics::SyntheticRequest sreq;
    sreq.perClass = metrics::syntheticCountsLike(network, real.labels, count, args.balance);
    sreq.psi = args.psi;
    sreq.noise = parseNoise(args.noise);
    if (sreq.noise == nets::NoiseMode::Random)
        torch::manual_seed(deriveSeed(args.seed, 9));  // fresh noise per image, the same on every rerun
    sreq.firstSeed = args.seed * 1000000;
    std::vector<int> syntheticLabels;
    for (std::size_t k = 0; k < sreq.perClass.size(); ++k)
        syntheticLabels.insert(syntheticLabels.end(), static_cast<std::size_t>(sreq.perClass[k]), conditional ? static_cast<int>(k) : -1);
    torch::Tensor syntheticPixels;  // kept only for the two-sample test
    auto synthesise = [&] {
        if (!syntheticPixels.defined())
            syntheticPixels = metrics::generateSynthetic(model, sreq, bar.callback()).pixels;
        return syntheticPixels;
    };
    const auto syntheticFeatures = metrics::cachedFeatures(*extractor, metrics::describeRequest(model, sreq), synthesise,
                                                           bar.callback(), !args.noCache);
    bar.finish();

    const auto main = metrics::compareFeatures(realFeatures, syntheticFeatures, extractor->name(), options);
    nlohmann::json mainJson = metrics::toJson(main);
    std::string c2stText;
    if (twoSampleTest)
        c2stText = runTwoSampleTest(real.pixels, synthesise(), c2stOptions, mainJson, bar);
    nlohmann::json json = {{"model", model.path.string()},
                           {"model_hash", model.hash},
                           {"model_kimg", model.progress.value("kimg", 0.0)},
                           {"dataset", args.data},
                           {"subset", args.subset},
                           {"split_seed", args.splitSeed},
                           {"extractor", extractor->name()},
                           {"extractor_file", extractor->path().string()},
                           {"extractor_hash", extractor->hash()},
                           {"psi", args.psi},
                           {"noise", args.noise},
                           {"synthetic_first_seed", sreq.firstSeed},
                           {"synthetic_per_class", sreq.perClass},
                           {"metrics", mainJson}};
    std::ostringstream text;
    text << "Generator " << model.path.filename().string() << " (" << model.hash << ", " << model.progress.value("kimg", 0.0)
         << " kimg), " << main.generatedCount << " synthetic vs " << main.realCount << " real '" << args.subset
         << "' images, embedding '" << extractor->name() << "'"
         << (extractor->name() == "derm" ? " (the project's dermatology network: NOT comparable to published Inception FID)" : "")
         << ":\n  generated vs real:   " << metrics::toText(main) << "\n";
    if (twoSampleTest)
        text << "  generated vs real:   " << c2stText << "\n";

    if (!args.noBaseline && args.subset != "train") {
        // Real training images against the same real set: what a generator that reproduced the training
        // distribution perfectly would score at this sample size. Metrics are biased by sample size; compare
        // the generator with this floor, not with zero.
        request.subset = "train";
        const SubsetImages train = loadSubset(request);
        Rng rng(deriveSeed(args.seed, 7));
        std::vector<int64_t> rows(train.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            rows[i] = static_cast<int64_t>(i);
        shuffleInPlace(rows, rng);
        rows.resize(static_cast<std::size_t>(std::min<int64_t>(count, static_cast<int64_t>(rows.size()))));
        const auto pixels = train.pixels.index_select(0, torch::tensor(rows));
        const auto trainFeatures = metrics::cachedFeatures(*extractor, "pixels " + metrics::tensorHash(pixels),
                                                           [&] { return pixels; }, bar.callback(), !args.noCache);
        bar.finish();
        const auto baseline = metrics::compareFeatures(realFeatures, trainFeatures, extractor->name(), options);
        nlohmann::json baselineJson = metrics::toJson(baseline);
        text << "  real train vs real: " << metrics::toText(baseline) << "   (floor at this sample size)\n";
        if (twoSampleTest)
            text << "  real train vs real: " << runTwoSampleTest(real.pixels, pixels, c2stOptions, baselineJson, bar)
                 << "   (floor)\n";
        json["baseline_real_train_vs_" + args.subset] = baselineJson;
    }

    if (args.perClass && conditional) {
        nlohmann::json perClass = nlohmann::json::object();
        for (int k = 0; k < network.classCount; ++k) {
            const auto realRows = rowsWithLabel(real.labels, k), fakeRows = rowsWithLabel(syntheticLabels, k);
            const auto& name = network.classNames[static_cast<std::size_t>(k)];
            try {
                const auto m = metrics::compareFeatures(realFeatures.index_select(0, realRows),
                                                        syntheticFeatures.index_select(0, fakeRows), extractor->name(), options);
                perClass[name] = metrics::toJson(m);
                text << "  class " << name << " (" << m.realCount << " real): " << metrics::toText(m) << "\n";
            } catch (const InputError& e) {
                perClass[name] = {{"skipped", e.what()}};
                text << "  class " << name << ": skipped (" << e.what() << ")\n";
            }
        }
        json["per_class"] = perClass;
    }

    const std::filesystem::path runDir = !args.trainingLog.empty() ? std::filesystem::path(args.trainingLog)
                                                                   : std::filesystem::path(model.training.outDir);
    if (const auto speed = metrics::readTrainingSpeed(runDir)) {
        json["training_speed"] = metrics::toJson(*speed);
        char line[200];
        std::snprintf(line, sizeof line, "  training speed: %.1f sec/kimg, %.1f img/s (medians), %.0f kimg in %.0f s wall\n",
                      speed->medianSecPerKimg, speed->medianImagesPerSecond, speed->kimg, speed->wallSeconds);
        text << line;
    }
    publishReport(args.out, "metrics", json, text.str(), args.json);
}

} // namespace

void addMetricsCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<MetricsArgs>();
    auto* cmd = parent.add_subcommand("metrics", "FID / KID / precision-recall / density-coverage of a generator against real images");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("--data", args->data, "Real dataset")->required();
    cmd->add_option("--subset", args->subset, "Real images: test, val, train or all (lesion-grouped split)")->capture_default_str();
    cmd->add_option("--count", args->count, "Synthetic images (default: as many as real ones)");
    cmd->add_option("--balance", args->balance, "Synthetic class counts: real (frequencies of the real set) or balanced")->capture_default_str();
    cmd->add_option("--extractor", args->extractor, "Embedding: derm (bundled), a .dermnet, or a TorchScript .pt such as inception-2015-12-05.pt")
        ->capture_default_str();
    cmd->add_option("--metrics", args->metricList, metricsHelp())->capture_default_str();
    cmd->add_option("--k-pr", args->kPr, "k of the precision/recall manifolds")->capture_default_str();
    cmd->add_option("--k-dc", args->kDc, "k of density/coverage")->capture_default_str();
    cmd->add_option("--kid-subsets", args->kidSubsets, "KID subsets")->capture_default_str();
    cmd->add_option("--kid-subset-size", args->kidSubsetSize, "KID subset size")->capture_default_str();
    cmd->add_option("--psi", args->psi, "Truncation psi of the synthetic images (1 = none, as in the study)")->capture_default_str();
    cmd->add_option("--noise", args->noise, "Noise inputs of the synthetic images: const (the stored constants, as the "
                                            "study's grids), random (fresh per image, seeded by --seed) or none")
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed: synthetic seeds start at seed * 1e6; KID subsets")->capture_default_str();
    cmd->add_option("--split-seed", args->splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    cmd->add_flag("--per-class", args->perClass, "Also per class (conditional generators)");
    cmd->add_flag("--no-baseline", args->noBaseline, "Skip the real-train-vs-real floor");
    cmd->add_option("--training-log", args->trainingLog, "Run folder with stats.jsonl (default: the snapshot's)");
    cmd->add_flag("--no-cache", args->noCache, "Do not read or write cached features");
    cmd->add_option("--out,-o", args->out, "Report folder (metrics.json/.txt)")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->callback([args, &exitCode] {
        runMetrics(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
