#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/image_decode.h"
#include "distributed_training.h"
#include "common/exit_codes.h"
#include "io/run_folder_lock.h"
#include "model/training_snapshot.h"
#include "model_commands.h"
#include "terminal_progress.h"
#include "train/trainer.h"
#include "train/training_data.h"

namespace dermgan::cli {

namespace {

struct TrainArgs {
    train::TrainingConfig config;
    std::string preset = "cpu";
    std::string cond = "on";
    int resolution = 64;
    std::string resume;
    bool dryRun = false;
    bool json = false;
    bool skipBad = false;
    DistributedArgs distributed;
    // Architecture overrides (0 = preset's value).
    int channelBase = 0, channelMax = 0, mappingLayers = 0, zDim = 0, wDim = 0;
};

train::TrainingConfig freshConfig(const TrainArgs& args, const CLI::App& command)
{
    train::TrainingConfig config = args.config;
    if (args.preset != "cpu" && args.preset != "gpu")
        throw InputError("preset '" + args.preset + "' is not known; expected cpu or gpu");
    auto network = args.preset == "gpu" ? nets::NetworkConfig::gpuDefault(args.resolution)
                                        : nets::NetworkConfig::cpuDefault(args.resolution);
    if (args.channelBase) network.channelBase = args.channelBase;
    if (args.channelMax) network.channelMax = args.channelMax;
    if (args.mappingLayers) network.mappingLayers = args.mappingLayers;
    if (args.zDim) network.zDim = args.zDim;
    if (args.wDim) network.wDim = args.wDim;
    config.network = network;
    config.emaKimg = command.count("--ema-kimg") ? config.emaKimg : config.batch * 10.0 / 32.0;
    // Stored absolute, so that `--resume` works from any folder.
    config.dataset = std::filesystem::absolute(config.dataset).lexically_normal().string();
    return config;
}

// Options that describe the model or its data: a resumed run keeps the snapshot's, so each one given with
// another value than the snapshot's is named as ignored. (--kimg, --out, --threads, --device, --snap and
// --tick may change.) Each option maps to its key in the config's JSON.
const std::vector<std::pair<const char*, const char*>> kKeptOnResume = {
    {"--resolution", "/network/img_resolution"}, {"--cond", "/network/c_dim"}, {"--preset", "/network/channel_base"},
    {"--cbase", "/network/channel_base"}, {"--cmax", "/network/channel_max"}, {"--map", "/network/mapping_layers"},
    {"--z-dim", "/network/z_dim"}, {"--w-dim", "/network/w_dim"}, {"--batch", "/batch"}, {"--gamma", "/r1_gamma"},
    {"--pl-weight", "/pl_weight"}, {"--style-mixing", "/style_mixing"}, {"--aug", "/augment"}, {"--ada-resample", "/ada_resample"},
    {"--aug-target", "/augment_target"}, {"--ada-kimg", "/ada_kimg"}, {"--lr", "/lr_g"}, {"--lr-d", "/lr_d"},
    {"--ema-kimg", "/ema_kimg"}, {"--mirror", "/mirror"}, {"--balanced", "/class_balanced"}, {"--subset", "/subset"},
    {"--split-seed", "/split_seed"}, {"--institution", "/institution"}, {"--seed", "/seed"}};

std::vector<std::string> ignoredOnResume(const train::TrainingConfig& given, const train::TrainingConfig& stored,
                                         const CLI::App& command)
{
    const nlohmann::json a = given, b = stored;
    std::vector<std::string> ignored;
    std::error_code ec;
    if (std::filesystem::path(given.dataset) != std::filesystem::path(stored.dataset) &&
        !std::filesystem::equivalent(given.dataset, stored.dataset, ec))
        ignored.push_back("dataset " + given.dataset + " (the snapshot trains on " + stored.dataset + ")");
    for (const auto& [option, key] : kKeptOnResume) {
        const nlohmann::json::json_pointer pointer(key);
        if (!command.count(option) || !a.contains(pointer) || !b.contains(pointer))
            continue;
        if (std::string(option) == "--cond" && (a.at(pointer) > 0) == (b.at(pointer) > 0))
            continue;  // the class count comes from the dataset, not from --cond
        if (a.at(pointer) != b.at(pointer))
            ignored.push_back(std::string(option) + " " + a.at(pointer).dump() + " (the snapshot has " + b.at(pointer).dump() + ")");
    }
    return ignored;
}

train::TrainingConfig resolveConfig(TrainArgs& args, const CLI::App& command)
{
    if (args.resume.empty())
        return freshConfig(args, command);
    const train::TrainingConfig& config = args.config;
    // A resumed run keeps the stored configuration; only its length, output folder, threads, device,
    // snapshot and tick intervals may change. Other options given with other values are listed as ignored.
    std::filesystem::path file = args.resume;
    if (args.resume == "latest") {
        file = train::latestSnapshot(config.outDir);
        if (file.empty())
            throw InputError("--resume latest: no latest.dermgan in " + config.outDir + "; expected a previous run there");
    }
    auto stored = TrainingSnapshotReader(file).config();
    auto given = freshConfig(args, command);
    given.network.classCount = args.cond == "on" ? std::max(stored.network.classCount, 1) : 0;
    // A dataset moved since (or an older snapshot's relative path, which depended on the folder it ran in):
    // the DATA given now is used, with a note; Trainer::resume still refuses another image count.
    std::error_code ec;
    if (!std::filesystem::exists(stored.dataset, ec) && std::filesystem::exists(given.dataset, ec)) {
        std::cerr << "dermgan: the snapshot's dataset " << stored.dataset << " is not found; using " << given.dataset << "\n";
        stored.dataset = given.dataset;
    }
    const auto ignored = ignoredOnResume(given, stored, command);
    if (!ignored.empty()) {
        std::string list;
        for (const auto& item : ignored)
            list += (list.empty() ? "" : "; ") + item;
        std::cerr << "dermgan: resuming " << file.string() << " with the settings it was trained with; ignored: " << list
                  << " (start a new --out to change them)\n";
    }
    if (command.count("--kimg"))
        stored.kimg = config.kimg;
    if (command.count("--out") || args.distributed.active())  // a site's folder is derived from --out
        stored.outDir = config.outDir;
    if (command.count("--threads"))
        stored.threads = config.threads;
    else if (requestedThreads() > 0)
        stored.threads = 0;  // `dermgan --threads N train --resume`: N, not the stored count
    if (command.count("--device"))
        stored.device = config.device;
    if (command.count("--snap"))
        stored.snapshotKimg = config.snapshotKimg;
    if (command.count("--tick"))
        stored.tickKimg = config.tickKimg;
    args.resume = file.string();
    return stored;
}

// --dry-run: the resolved configuration, the sizes of the networks and of the data, as JSON on stdout.
void printDryRun(const TrainArgs& args, const train::TrainingConfig& config, const train::PreparedData& prepared,
                 const DistributedArgs& distributed, int threads)
{
    nets::Generator g(config.network);
    nets::Discriminator d(config.network);
    auto count = [](torch::nn::Module& m) {
        int64_t n = 0;
        for (const auto& p : m.parameters())
            n += p.numel();
        return n;
    };
    nlohmann::json summary{{"config", config},
                           {"training_images", prepared.rows.size()},
                           {"dataset_images", prepared.index.records.size()},
                           {"generator_parameters", count(*g)},
                           {"discriminator_parameters", count(*d)},
                           {"num_ws", config.network.numWs()},
                           {"r1_gamma", config.effectiveR1Gamma()},
                           {"device", selectDevice(config.device).str()},
                           {"threads", threads},
                           {"resume", args.resume}};
    if (distributed.federated)
        summary["federation"] = distributed.federation;
    if (!args.resume.empty())
        summary["resume_kimg"] = TrainingSnapshotReader(args.resume).kimg();
    std::cout << summary.dump(2) << "\n";
}

// The train command once its options are parsed: prepares the data, then trains (centralized, federated or
// data-parallel) or, with --dry-run, prints what it would train. Returns the exit code.
int runTrain(TrainArgs& args, const CLI::App& cmd)
{
    args.config.network.resolution = args.resolution;
    auto& distributed = args.distributed;
    prepareDistributedOutput(distributed, args.config, cmd);
    train::TrainingConfig config = resolveConfig(args, cmd);
    // Before any image is decoded: the pixel cache takes other sizes (classifiers), generators do not.
    requireSupportedResolution(config.network.resolution, "network resolution");
    if (distributed.federated) {
        if (!args.resume.empty())
            restoreFederatedOptions(distributed, args.resume, cmd);
        distributed.federation.validate();
        config.kimg = distributed.federation.rounds * distributed.federation.roundKimg;  // per site
    }
    // Taken before the data are prepared, so that a second run on this folder refuses at once.
    std::optional<RunFolderLock> lock;
    if (!args.dryRun)
        lock.emplace(config.outDir);
    const int threads = configureThreads(config.threads);
    const bool conditional = args.resume.empty() ? args.cond == "on" : config.network.classCount > 0;
    ReadOptions readOptions;
    readOptions.skipBad = args.skipBad;
    TerminalProgress bar(!args.json);
    // --dry-run decodes too ("validate everything"): a damaged image fails now, not an hour into the run.
    auto prepared = train::prepareTrainingData(config, conditional, readOptions, bar.callback());
    bar.finish();
    config.validate();
    if (args.dryRun) {
        printDryRun(args, config, prepared, distributed, threads);
        return kOk;
    }
    train::Trainer trainer(config, std::move(prepared.data));
    if (distributed.active()) {
        if (distributed.dataParallel && !args.resume.empty())
            trainer.resume(args.resume);  // a federated site resumes the round all sites agree on
        return runDistributed(distributed, trainer, !args.resume.empty(), args.json);
    }
    if (!args.resume.empty())
        trainer.resume(args.resume);
    std::cerr << "training " << config.network.resolution << "x" << config.network.resolution << " "
              << (conditional ? "conditional (" + std::to_string(config.network.classCount) + " classes)" : std::string("unconditional"))
              << " on " << prepared.rows.size() << " images, " << runtimeDescription(trainer.device()) << ", from kimg "
              << trainer.imagesShown() / 1000.0 << " to " << config.kimg << "; output " << config.outDir << "\n";
    const bool finished = trainer.run([&](const nlohmann::json& line) {
        printTick(line, args.json);
        return !interrupted();
    }, interrupted);
    if (!finished) {
        std::cerr << "dermgan: interrupted at kimg " << trainer.imagesShown() / 1000.0
                  << "; snapshot written, continue with --resume latest --out " << config.outDir << "\n";
        return kCancelled;
    }
    return kOk;
}

} // namespace

void addTrainCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<TrainArgs>();
    auto& c = args->config;
    auto* cmd = parent.add_subcommand("train", "Train a StyleGAN2-ADA generator (centralized), with snapshots and resume");
    cmd->add_option("dataset", c.dataset, "Dataset folder or StyleGAN2-ADA .zip")->required();
    cmd->add_option("--out,-o", c.outDir, "Output folder: snapshots, stats.jsonl, sample grids")->capture_default_str();
    cmd->add_option("--resolution,-r", args->resolution, "Image size, a power of two")->capture_default_str();
    cmd->add_option("--cond", args->cond, "Class-conditional model: on or off")->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    cmd->add_option("--preset", args->preset, "Architecture: cpu (small, ~1.7M G params at 64) or gpu (study-size)")
        ->capture_default_str();
    cmd->add_option("--batch", c.batch, "Minibatch size")->capture_default_str();
    cmd->add_option("--kimg", c.kimg, "Training length in thousands of real images")->capture_default_str();
    cmd->add_option("--gamma", c.r1Gamma, "R1 weight (default: 0.0002 * resolution^2 / batch)");
    cmd->add_option("--pl-weight", c.plWeight, "Path-length regularisation weight (reference: 2)")->capture_default_str();
    cmd->add_option("--style-mixing", c.styleMixing, "Style-mixing probability")->capture_default_str();
    cmd->add_option("--aug", c.augment, "ADA groups: bgc (blit, geometric, colour), any subset, or none")
        ->capture_default_str();
    cmd->add_option("--ada-resample", c.adaResample,
                    "Geometric ADA resampling: bilinear (one pass, fast on a CPU) or wavelet (the reference's 2x sym6 "
                    "up/down around it: keeps fine texture, 5-10x the cost)")
        ->capture_default_str();
    cmd->add_option("--aug-target", c.augmentTarget, "ADA target for E[sign(D(real))]")->capture_default_str();
    cmd->add_option("--ada-kimg", c.adaKimg, "kimg for p to move by 1")->capture_default_str();
    cmd->add_option("--lr", c.lrG, "Adam learning rate of G (D uses --lr-d)")->capture_default_str();
    cmd->add_option("--lr-d", c.lrD, "Adam learning rate of D")->capture_default_str();
    cmd->add_option("--ema-kimg", c.emaKimg, "G_ema half-life in kimg (default: batch * 10 / 32)");
    cmd->add_option("--mirror", c.mirror, "Random x-flips of real images (true/false)")->capture_default_str();
    cmd->add_flag("--balanced", c.classBalanced, "Sample real images and fake classes uniformly per class");
    cmd->add_option("--subset", c.subset, "Train on the lesion-grouped 'train' split, or 'all' images")
        ->capture_default_str();
    cmd->add_option("--split-seed", c.splitSeed, "Seed of the train/val/test split")->capture_default_str();
    cmd->add_option("--institution", c.institution, "Train on one institution's share only (-1 = all)")
        ->capture_default_str();
    cmd->add_option("--seed", c.seed, "Seed for initialisation, latents and sampling")->capture_default_str();
    cmd->add_option("--snap", c.snapshotKimg, "Snapshot and sample grid every N kimg")->capture_default_str();
    cmd->add_option("--tick", c.tickKimg, "Stats line every N kimg")->capture_default_str();
    cmd->add_option("--resume", args->resume, "Continue from a snapshot file, or 'latest' in --out");
    cmd->add_option("--threads", c.threads, "CPU threads (0 = one per core)")->capture_default_str();
    cmd->add_option("--device", c.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--cbase", args->channelBase, "Channel base (channels at resolution r: min(cbase / r, cmax))");
    cmd->add_option("--cmax", args->channelMax, "Maximum channels per layer");
    cmd->add_option("--map", args->mappingLayers, "Mapping network depth");
    cmd->add_option("--z-dim", args->zDim, "Latent z size");
    cmd->add_option("--w-dim", args->wDim, "Intermediate latent w size");
    cmd->add_flag("--dry-run", args->dryRun, "Validate everything, print the resolved configuration, train nothing");
    cmd->add_flag("--json", args->json, "Print stats lines as JSON");
    cmd->add_flag("--skip-bad", args->skipBad, "Skip missing or corrupt images (listed) instead of stopping");
    addDistributedOptions(*cmd, args->distributed);
    cmd->callback([args, cmd, &exitCode] { exitCode = runTrain(*args, *cmd); });
}

} // namespace dermgan::cli
