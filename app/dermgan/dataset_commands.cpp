#include "dataset_commands.h"

#include <chrono>
#include <iostream>
#include <memory>

#include "common/runtime.h"
#include "data/dataset.h"
#include "data/dataset_summary.h"
#include "data/image_store.h"
#include "data/splits.h"
#include "exit_codes.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct DatasetArgs {
    std::string path;
    bool json = false;
    bool skipBad = false;
    bool dropEmptyClasses = false;
};

void addDatasetArgs(CLI::App& command, DatasetArgs& args)
{
    command.add_option("path", args.path,
                       "Dataset: HAM10000 folder, ISIC folder, folder per class, or StyleGAN2-ADA folder/.zip")
        ->required();
    command.add_flag("--json", args.json, "Print machine-readable JSON on stdout");
    command.add_flag("--skip-bad", args.skipBad,
                     "Skip (and list) images that are missing or corrupt instead of stopping at the first one");
    command.add_flag("--drop-empty-classes", args.dropEmptyClasses, "Drop classes that have no images instead of failing");
}

DatasetIndex open(const DatasetArgs& args)
{
    ReadOptions options;
    options.skipBad = args.skipBad;
    options.dropEmptyClasses = args.dropEmptyClasses;
    return openDataset(args.path, options);
}

void addInspect(CLI::App& dataset, int& exitCode)
{
    auto args = std::make_shared<DatasetArgs>();
    auto* command = dataset.add_subcommand("inspect", "Detect a dataset's layout and count its images, lesions and classes");
    addDatasetArgs(*command, *args);
    command->callback([args, &exitCode] {
        const DatasetIndex index = open(*args);
        if (args->json)
            std::cout << datasetSummaryJson(index).dump(2) << "\n";
        else
            std::cout << datasetSummaryText(index);
        exitCode = kOk;
    });
}

void addSplit(CLI::App& dataset, int& exitCode)
{
    struct SplitArgs : DatasetArgs {
        std::uint64_t seed = 0;
        std::vector<double> fractions{0.70, 0.15, 0.15};
        std::vector<double> institutions{0.06, 0.31, 0.63};
        double labelSkew = 0.0;
        std::string out;
    };
    auto args = std::make_shared<SplitArgs>();
    auto* command = dataset.add_subcommand(
        "split", "Lesion-grouped, class-stratified train/val/test split and partition into institutions");
    addDatasetArgs(*command, *args);
    command->add_option("--seed", args->seed, "Seed: the same seed gives the same split on every machine")
        ->capture_default_str();
    command->add_option("--fractions", args->fractions, "train,val,test shares of lesions")
        ->delimiter(',')->expected(3)->capture_default_str();
    command->add_option("--institutions", args->institutions,
                        "Share of lesions per institution, comma-separated (default: the study's three hospitals)")
        ->delimiter(',')->expected(1, 64)->capture_default_str();
    command->add_option("--label-skew", args->labelSkew,
                        "0 = each institution gets every class in proportion; >0 = Dirichlet concentration of "
                        "per-class shares (smaller = more skew)")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    command->add_option("--out", args->out, "Write image_id,lesion_id,label,class,split,institution to this CSV");
    command->callback([args, &exitCode] {
        const DatasetIndex index = open(*args);
        SplitFractions fractions{args->fractions[0], args->fractions[1], args->fractions[2]};
        InstitutionSpec institutions{args->institutions, args->labelSkew};
        const SplitAssignment split = assignSplits(index, fractions, institutions, args->seed);
        if (!args->out.empty())
            writeSplitCsv(args->out, index, split);
        if (args->json) {
            auto json = splitSummaryJson(index, split);
            json["dataset"] = datasetSummaryJson(index);
            if (!args->out.empty())
                json["csv"] = args->out;
            std::cout << json.dump(2) << "\n";
        } else {
            std::cout << splitSummaryText(index, split);
            if (!args->out.empty())
                std::cout << "wrote " << args->out << "\n";
        }
        exitCode = kOk;
    });
}

void addPrepare(CLI::App& dataset, int& exitCode)
{
    struct PrepareArgs : DatasetArgs {
        int resolution = 64;
        int threads = 0;
        std::string cacheDir;
        bool noCache = false;
    };
    auto args = std::make_shared<PrepareArgs>();
    auto* command = dataset.add_subcommand(
        "prepare", "Decode, centre-crop and resize every image into the pixel cache (finds corrupt images)");
    addDatasetArgs(*command, *args);
    command->add_option("--resolution,-r", args->resolution, "Square output size, a power of two from 16 to 1024")
        ->capture_default_str();
    command->add_option("--threads", args->threads, "Decoding threads (0 = one per core)")->capture_default_str();
    command->add_option("--cache-dir", args->cacheDir,
                        "Cache folder (default $DERMGAN_CACHE_DIR, else $XDG_CACHE_HOME/dermgan or ~/.cache/dermgan)");
    command->add_flag("--no-cache", args->noCache, "Decode without reading or writing the cache");
    command->callback([args, &exitCode] {
        const DatasetIndex index = open(*args);
        TerminalProgress bar(!args->json);
        ImageLoadOptions options;
        options.resolution = args->resolution;
        options.skipBad = args->skipBad;
        options.threads = args->threads;
        options.useCache = !args->noCache;
        options.cacheDir = args->cacheDir;
        options.progress = bar.callback();
        const auto start = std::chrono::steady_clock::now();
        const LoadedImages images = loadImages(index, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        bar.finish();
        const double perSecond = seconds > 0 ? static_cast<double>(images.size()) / seconds : 0.0;
        if (args->json) {
            nlohmann::json json{{"images", images.size()},
                                {"resolution", args->resolution},
                                {"seconds", seconds},
                                {"images_per_second", perSecond},
                                {"from_cache", images.fromCache},
                                {"cache_file", images.cacheFile.string()},
                                {"skipped", images.skipped}};
            std::cout << json.dump(2) << "\n";
        } else {
            std::cout << images.size() << " images at " << args->resolution << "x" << args->resolution << " in "
                      << seconds << " s (" << static_cast<long long>(perSecond) << " images/s, "
                      << (images.fromCache ? "from cache" : "decoded") << ")\n";
            if (!images.cacheFile.empty())
                std::cout << "cache: " << images.cacheFile.string() << "\n";
            for (const auto& skipped : images.skipped)
                std::cout << "skipped " << skipped << "\n";
        }
        exitCode = kOk;
    });
}

} // namespace

void addDatasetCommands(CLI::App& parent, int& exitCode)
{
    auto* dataset = parent.add_subcommand("dataset", "Inspect, split and prepare image datasets");
    dataset->require_subcommand(1);
    addInspect(*dataset, exitCode);
    addSplit(*dataset, exitCode);
    addPrepare(*dataset, exitCode);
}

} // namespace dermgan::cli
