#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"
#include "common/runtime.h"
#include "data/image_decode.h"
#include "data/subset_loader.h"
#include "common/exit_codes.h"
#include "explain/projection_calibration.h"
#include "explain/projector.h"
#include "explain_commands.h"
#include "invocation.h"
#include "io/image_io.h"
#include "io/npy.h"
#include "model_arguments.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct ProjectArgs {
    std::string model, data, subsets = "train,test", className, space = "w", perceptual = "derm", extractor = "derm",
                out = "projections", device = "auto";
    std::vector<std::string> images;
    int count = 8, steps = 300;
    double pixelWeight = 1.0;
    std::uint64_t seed = 0, splitSeed = 0;
    bool noNoise = false, json = false, calibrate = false;
};

struct Target {
    std::string id, group;  // group: the subset, or "files"
    torch::Tensor pixels;   // uint8 [3, R, R]
    int classIndex = -1;
    std::string note;
    std::string notRanked;  // why the image is not a dermoscopic photograph (tiny, constant); empty when it may be
};

std::vector<Target> targetsFromArgs(const ProjectArgs& args, const nets::NetworkConfig& network)
{
    std::vector<Target> targets;
    for (const auto& file : args.images) {
        Target t;
        t.id = std::filesystem::path(file).stem().string();
        t.group = "files";
        const cv::Mat rgb = readImageRgb(file);
        t.notRanked = explain::trivialImageReason(rgb);
        if (!t.notRanked.empty())
            std::cerr << "warning: " << file << ": " << t.notRanked << "; it is projected, but its distances are not ranked\n";
        t.pixels = explain::prepareTarget(rgb, network.resolution, t.note);
        if (network.classCount > 0)
            t.classIndex = static_cast<int>(parseClasses(args.className, network).front());
        else if (!args.className.empty())
            parseClasses(args.className, network);  // throws the unconditional-model error
        targets.push_back(t);
    }
    if (args.data.empty())
        return targets;
    std::stringstream list(args.subsets);
    std::string subset;
    while (std::getline(list, subset, ',')) {
        SubsetRequest request;
        request.dataset = args.data;
        request.subset = subset;
        request.splitSeed = args.splitSeed;
        request.resolution = network.resolution;
        const auto images = loadSubset(request);
        if (network.classCount > 0 && images.index.classNames != network.classNames)
            throw InputError("dataset " + args.data + " has other classes than the generator");
        // The first `count` images of the subset in a seeded order: the same images on every run.
        std::vector<std::size_t> order(images.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        Rng rng(deriveSeed(args.seed, 11));
        shuffleInPlace(order, rng);
        for (int i = 0; i < args.count && i < static_cast<int>(order.size()); ++i) {
            const auto k = order[static_cast<std::size_t>(i)];
            Target t;
            t.id = images.index.records[images.rows[k]].imageId;
            t.group = subset;
            t.pixels = images.pixels[static_cast<int64_t>(k)];
            t.classIndex = network.classCount > 0 ? images.labels[k] : -1;
            targets.push_back(t);
        }
    }
    if (targets.empty())
        throw InputError("nothing to project: give image files, or --data with --subsets");
    return targets;
}

// The derm features of every image of `subset` (at the generator's resolution, as projections see them).
torch::Tensor subsetFeatures(const ProjectArgs& args, const std::string& subset, int resolution, metrics::FeatureExtractor& features)
{
    SubsetRequest request;
    request.dataset = args.data;
    request.subset = subset;
    request.splitSeed = args.splitSeed;
    request.resolution = resolution;
    return features.extract(loadSubset(request).pixels);
}

// --calibrate: only held-out lesions may calibrate, and only from a dataset.
void requireHeldOutOnly(const ProjectArgs& args)
{
    if (args.data.empty() || !args.images.empty())
        throw InputError("--calibrate projects held-out lesions of a dataset: give --data and --subsets val (or test), no image files");
    std::stringstream list(args.subsets);
    for (std::string subset; std::getline(list, subset, ',');)
        if (subset != "val" && subset != "test")
            throw InputError("--calibrate takes held-out subsets only (val, test), not '" + subset +
                             "': the model has seen its training images");
}

// --calibrate: a calibration holding the training split's novelty model and the held-out subsets' novelty
// (their projection distances are added as they are projected). Otherwise the calibration beside the model,
// when it was made with this feature network.
std::optional<explain::ProjectionCalibration> openCalibration(const ProjectArgs& args, const GeneratorModel& model,
                                                              metrics::FeatureExtractor& features)
{
    const int resolution = model.network().resolution;
    if (args.calibrate) {
        explain::ProjectionCalibration calibration;
        calibration.novelty = explain::FeatureNovelty::fit(subsetFeatures(args, "train", resolution, features));
        std::stringstream list(args.subsets);
        for (std::string subset; std::getline(list, subset, ',');) {
            const auto heldOut = calibration.novelty.distances(subsetFeatures(args, subset, resolution, features));
            calibration.heldOutNovelty.insert(calibration.heldOutNovelty.end(), heldOut.begin(), heldOut.end());
        }
        return calibration;
    }
    auto calibration = explain::findCalibration(model.path, model.hash);
    if (calibration && calibration->extractorHash != features.hash()) {
        std::cerr << "note: the calibration beside the model was made with another feature network ("
                  << calibration->extractor << "); it is not used\n";
        calibration.reset();
    }
    return calibration;
}

// Completes the calibration's record (model, network, data, settings, command) and writes it beside the model.
std::filesystem::path writeCalibration(const ProjectArgs& args, const GeneratorModel& model,
                                       const metrics::FeatureExtractor& features, explain::ProjectionCalibration& calibration)
{
    calibration.modelHash = model.hash;
    calibration.extractor = features.path().filename().string();
    calibration.extractorHash = features.hash();
    calibration.dataset = args.data;
    calibration.subset = args.subsets;
    calibration.splitSeed = args.splitSeed;
    calibration.space = args.space;
    calibration.steps = args.steps;
    calibration.command = invocation();
    const auto path = explain::calibrationPathFor(model.path);
    explain::writeCalibration(path, calibration);
    return path;
}

void runProject(const ProjectArgs& args)
{
    if (args.space != "w" && args.space != "wplus")
        throw InputError("--space '" + args.space + "' is not known; expected w or wplus");
    if (args.calibrate)
        requireHeldOutOnly(args);
    configureThreadsForLoad();  // a batch-1 projection slows down many times when its threads fight a busy machine
    const auto device = selectDevice(args.device);
    GeneratorModel model = loadGeneratorModel(args.model, device);
    const auto& network = model.network();
    auto distance = explain::openPerceptualDistance(args.perceptual, device);
    auto features = metrics::openFeatureExtractor(args.extractor, device);
    const auto targets = targetsFromArgs(args, network);
    // What the readouts mean: the calibration beside the model, or the one this run makes.
    auto calibration = openCalibration(args, model, *features);

    explain::ProjectionOptions options;
    options.space = args.space == "w" ? explain::LatentSpace::W : explain::LatentSpace::WPlus;
    options.steps = args.steps;
    options.optimizeNoise = !args.noNoise;
    options.pixelWeight = args.pixelWeight;
    options.seed = args.seed;
    const std::filesystem::path out = args.out;
    std::filesystem::create_directories(out);

    std::vector<std::string> readings;  // one calibrated line per image
    TerminalProgress bar(true);
    nlohmann::json items = nlohmann::json::array();
    std::map<std::string, std::vector<explain::ImageDistances>> byGroup;
    std::size_t done = 0;
    const auto started = std::chrono::steady_clock::now();
    for (const auto& target : targets) {
        if (!target.note.empty())
            std::cerr << "note: " << target.id << ": " << target.note << "\n";
        options.classIndex = target.classIndex;
        const auto progress = bar.callback();
        const auto result = explain::project(model, target.pixels, *distance, options, [&](const explain::ProjectionStep& s, const torch::Tensor&) {
            return progress(Progress{"projecting " + target.id + " (" + std::to_string(done + 1) + "/" + std::to_string(targets.size()) + ")",
                                     static_cast<std::size_t>(s.step), static_cast<std::size_t>(args.steps)});
        });
        if (result.cancelled)
            throw CancelledError();
        const auto d = explain::measureProjection(result, *distance, features.get());
        byGroup[target.group].push_back(d);
        const std::string stem = target.group + "-" + target.id;
        writePng(out / (stem + "-target.png"), tensorToRgbImage(result.target), {{"Software", "dermgan"}, {"dermgan:synthetic", "false"}});
        writePng(out / (stem + "-projection.png"), tensorToRgbImage(result.projection),
                 {{"Software", "dermgan"},
                  {"dermgan:synthetic", "true"},
                  {"Description", "SYNTHETIC: GAN projection of a real image"},
                  {"dermgan:model_hash", model.hash}});
        writeNpy(out / (stem + "-ws.npy"), result.ws);
        // The reference projector's file: np.load(f)['w'] is [1, num_ws, w_dim] (synthesize with G.synthesis).
        writeNpz(out / (stem + "-projected_w.npz"), {{"w", result.ws.to(torch::kFloat32).reshape({1, network.numWs(), network.wDim})}});
        auto item = explain::toJson(result);
        if (!target.notRanked.empty()) {
            item["not_ranked"] = target.notRanked;
            readings.push_back(target.id + ": NOT RANKED: " + target.notRanked);
        } else if (calibration) {
            if (args.calibrate) {
                explain::addHeldOutProjection(*calibration, d);
            } else {
                const auto reading = explain::readCalibrated(*calibration, features->extract(target.pixels.unsqueeze(0)), d);
                item["calibrated"] = {{"novelty", reading.novelty}, {"novelty_percentile", reading.noveltyPercentile},
                                      {"out_of_distribution", reading.outOfDistribution},
                                      {"closer_than_held_out_percent", reading.percentiles}, {"reading", explain::describe(reading)}};
                readings.push_back(target.id + ": " + explain::describe(reading));
            }
        }
        item["id"] = target.id;
        item["group"] = target.group;
        item["class_name"] = target.classIndex >= 0 ? network.classNames[static_cast<std::size_t>(target.classIndex)] : "";
        item["distances"] = explain::toJson(d);
        item["ws_file"] = stem + "-ws.npy";
        item["projected_w_file"] = stem + "-projected_w.npz";
        items.push_back(item);
        ++done;
    }
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    nlohmann::json summary = nlohmann::json::object();
    std::ostringstream text;
    text << "Projected " << targets.size() << " images into " << (args.space == "w" ? "W" : "W+") << " of "
         << model.path.filename().string() << " (" << model.hash << "), " << args.steps << " steps, perceptual distance "
         << distance->name() << ", " << seconds / targets.size() << " s per image:\n";
    char line[256];
    text << "  group     n   RMSE(0-255)  PSNR dB   SSIM   perceptual  feature-cosine   (medians)\n";
    for (const auto& [group, list] : byGroup) {
        const auto s = explain::summarise(list);
        summary[group] = explain::toJson(s);
        std::snprintf(line, sizeof line, "  %-7s %3d   %10.2f  %7.2f  %5.3f  %10.4f  %14.4f\n", group.c_str(), s.count,
                      s.median.rmse, s.median.psnr, s.median.ssim, s.median.perceptual, s.median.featureCosine);
        text << line;
    }
    if (args.calibrate) {
        const auto path = writeCalibration(args, model, *features, *calibration);
        text << "  Calibration written: " << path.string() << " (" << calibration->heldOutNovelty.size()
             << " held-out lesions for the novelty check, " << targets.size() << " projected)\n";
    } else if (calibration) {
        if (calibration->space != args.space || calibration->steps != args.steps)
            text << "  note: the calibration was made with " << calibration->space << ", " << calibration->steps
                 << " steps; these percentiles compare other settings\n";
        for (const auto& reading : readings)
            text << "  " << reading << "\n";
    } else {
        text << "  No calibration beside the model: the distances above cannot be read against real lesions. Make one with\n"
                "  dermgan project " << model.path.string() << " --data DATASET --subsets val --count 50 --calibrate\n";
    }
    if (byGroup.count("train") && byGroup.count("test"))
        text << "  Held-out (test) images projected about as well as training images mean the generator generalises;\n"
                "  much better training projections would point to memorisation.\n";
    const nlohmann::json json = {{"model", model.path.string()}, {"model_hash", model.hash},
                                 {"space", args.space}, {"steps", args.steps}, {"perceptual", distance->name()},
                                 {"extractor", features->name()}, {"seconds_per_image", seconds / targets.size()},
                                 {"summary", summary}, {"images", items}};
    publishReport(out, "project", json, text.str(), args.json);
}

} // namespace

void addProjectCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<ProjectArgs>();
    auto* cmd = parent.add_subcommand("project", "Project real images into a generator's latent space and measure how close it comes");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("images", args->images, "Image files to project (any size: centre-cropped and resized)");
    cmd->add_option("--class", args->className, "Class of the image files (conditional models)");
    cmd->add_option("--data", args->data, "Project images of this dataset instead of (or besides) files");
    cmd->add_option("--subsets", args->subsets, "Lesion-grouped subsets to draw from, e.g. train,test")->capture_default_str();
    cmd->add_option("--count", args->count, "Images per subset (a seeded choice)")->capture_default_str();
    cmd->add_option("--space", args->space, "w (one vector) or wplus (one per layer)")->capture_default_str();
    cmd->add_option("--steps", args->steps, "Optimisation steps")->capture_default_str();
    cmd->add_flag("--no-noise", args->noNoise, "Keep the generator's noise maps instead of optimising them");
    cmd->add_option("--pixel-weight", args->pixelWeight, "Weight of the pixel MSE beside the perceptual distance")->capture_default_str();
    cmd->add_option("--perceptual", args->perceptual, "Perceptual distance: derm (bundled), a .dermnet, or NVlabs' vgg16.pt")
        ->capture_default_str();
    cmd->add_option("--extractor", args->extractor, "Feature network for the cosine readout")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
    cmd->add_option("--split-seed", args->splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Output folder (PNGs, ws .npy, project.json/.txt)")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--calibrate", args->calibrate,
                  "Write <model>.calibration.json/.npz from these held-out lesions (--data, --subsets val): later "
                  "projections are read against them, and inputs unlike any lesion are flagged");
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->callback([args, &exitCode] {
        runProject(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
