#include "dataset_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/runtime.h"
#include "data/dataset.h"
#include "data/dataset_layouts.h"
#include "data/dataset_summary.h"
#include "data/image_decode.h"
#include "data/image_store.h"
#include "data/splits.h"
#include "data/subset_loader.h"
#include "io/jpeg_encode.h"
#include "io/zip_archive.h"
#include "common/exit_codes.h"
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
    command.add_option("path", args.path, "Dataset: " + datasetLayoutList() + ", or a flat folder of unlabelled images")
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
        if (!index.archivePath.empty())
            verifyZipMembers(index.archivePath);  // every member's CRC: a damaged image is named now
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
            json["dataset"] = nlohmann::json(datasetSummaryJson(index));
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
        requireSupportedResolution(args->resolution);  // StyleGAN2-ADA trains on powers of two only
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

// The dataset.json of a StyleGAN2-ADA archive: [member, label] pairs (null when unlabelled), the class names
// (which dermgan reads and the reference ignores) and where the images came from.
nlohmann::json stylegan2DatasetJson(const SubsetImages& images, const std::vector<std::string>& members,
                                    const SubsetRequest& request)
{
    const bool labelled = !images.index.classNames.empty();
    nlohmann::json labels = labelled ? nlohmann::json::array() : nlohmann::json(nullptr);
    nlohmann::json ids = nlohmann::json::array();
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (labelled)
            labels.push_back({members[i], images.labels[i]});
        ids.push_back(images.index.records[images.rows[i]].imageId);
    }
    nlohmann::json json{{"labels", labels},
                        {"dermgan_source",
                         {{"dataset", std::filesystem::absolute(request.dataset).string()},
                          {"subset", request.subset},
                          {"split_seed", request.splitSeed},
                          {"institution", request.institution},
                          {"resolution", request.resolution},
                          {"image_ids", ids}}}};
    if (labelled)
        json["class_names"] = images.index.classNames;
    return json;
}

void addExport(CLI::App& dataset, int& exitCode)
{
    struct ExportArgs : DatasetArgs {
        SubsetRequest request;
        std::string out;
        int jpegQuality = 0;
    };
    auto args = std::make_shared<ExportArgs>();
    auto* command = dataset.add_subcommand(
        "export", "Write one lesion-grouped subset, decoded and resized as dermgan trains on it, as a StyleGAN2-ADA "
                  "dataset .zip (the reference's train.py --data reads it)");
    addDatasetArgs(*command, *args);
    command->add_option("--subset", args->request.subset, "train, val, test or all")->capture_default_str();
    command->add_option("--split-seed", args->request.splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    command->add_option("--institution", args->request.institution, "One institution's share only (-1 = all)")
        ->capture_default_str();
    command->add_option("--resolution,-r", args->request.resolution, "Square output size, a power of two from 16 to 1024")
        ->capture_default_str();
    command->add_option("--out,-o", args->out, "The .zip to write (atomically)")->required();
    command->add_option("--jpeg-quality", args->jpegQuality,
                        "0: lossless PNG members; 1-100: JPEG at this quality without chroma subsampling (smaller, "
                        "lossy: the error is printed)")
        ->check(CLI::Range(0, 100))
        ->capture_default_str();
    command->callback([args, &exitCode] {
        auto& request = args->request;
        request.dataset = args->path;
        request.read.skipBad = args->skipBad;
        request.read.dropEmptyClasses = args->dropEmptyClasses;
        TerminalProgress bar(!args->json);
        request.progress = bar.callback();
        SubsetImages images = selectSubset(request);
        requireSupportedResolution(request.resolution);  // StyleGAN2-ADA trains on powers of two only
        decodeSubset(images, request);
        bar.finish();
        ZipWriter zip;
        std::vector<std::string> members;
        const bool jpeg = args->jpegQuality > 0;
        double errorSum = 0;
        int maxError = 0;
        for (std::size_t i = 0; i < images.size(); ++i) {
            char name[32];  // dataset_tool.py's naming: 1,000 images a folder
            std::snprintf(name, sizeof name, jpeg ? "%05zu/img%08zu.jpg" : "%05zu/img%08zu.png", i / 1000, i);
            members.emplace_back(name);
            const auto chw = images.pixels[static_cast<int64_t>(i)].permute({1, 2, 0}).contiguous();
            const cv::Mat rgb(static_cast<int>(chw.size(0)), static_cast<int>(chw.size(1)), CV_8UC3, chw.data_ptr<std::uint8_t>());
            cv::Mat bgr;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            std::vector<std::uint8_t> bytes;
            if (jpeg) {
                bytes = encodeJpeg444(rgb, args->jpegQuality);
                cv::Mat difference;
                cv::absdiff(cv::imdecode(bytes, cv::IMREAD_COLOR), bgr, difference);
                errorSum += cv::sum(difference)[0] + cv::sum(difference)[1] + cv::sum(difference)[2];
                double largest = 0;
                cv::minMaxLoc(difference.reshape(1), nullptr, &largest);
                maxError = std::max(maxError, static_cast<int>(largest));
            } else {
                cv::imencode(".png", bgr, bytes);
            }
            zip.add(members.back(), bytes);
        }
        auto datasetJson = stylegan2DatasetJson(images, members, request);
        datasetJson["dermgan_source"]["encoding"] = jpeg ? "jpeg 4:4:4 quality " + std::to_string(args->jpegQuality) : "png";
        zip.add("dataset.json", datasetJson.dump());
        zip.save(args->out);
        const double meanError = jpeg ? errorSum / (static_cast<double>(images.pixels.numel())) : 0.0;
        std::string summary = std::to_string(images.size()) + " '" + request.subset + "' images at " +
                              std::to_string(request.resolution) + "x" + std::to_string(request.resolution) +
                              " written to " + args->out;
        if (jpeg) {
            char error[160];
            std::snprintf(error, sizeof error, " as JPEG (quality %d, 4:4:4): mean |error| %.2f/255, largest %d/255",
                          args->jpegQuality, meanError, maxError);
            summary += error;
        }
        if (args->json)
            std::cout << nlohmann::json{{"images", images.size()}, {"out", args->out}, {"subset", request.subset},
                                        {"resolution", request.resolution}, {"jpeg_quality", args->jpegQuality},
                                        {"mean_abs_error", meanError}, {"max_abs_error", maxError}}.dump(2) << "\n";
        else
            std::cout << summary << "\n";
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
    addExport(*dataset, exitCode);
}

} // namespace dermgan::cli
