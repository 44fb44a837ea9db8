#include <iomanip>
#include <iostream>
#include <memory>

#include "common/errors.h"
#include "common/runtime.h"
#include "distributed_training.h"
#include "exit_codes.h"
#include "io/snapshot.h"
#include "model_commands.h"
#include "terminal_progress.h"
#include "train/trainer.h"
#include "training_data.h"

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

train::TrainingConfig resolveConfig(TrainArgs& args, const CLI::App& command)
{
    train::TrainingConfig config = args.config;
    if (!args.resume.empty()) {
        // A resumed run keeps the stored configuration; only its length and output folder may change.
        std::filesystem::path file = args.resume;
        if (args.resume == "latest") {
            file = train::latestSnapshot(config.outDir);
            if (file.empty())
                throw InputError("--resume latest: no latest.dermgan in " + config.outDir + "; expected a previous run there");
        }
        auto archive = openSnapshot(file);
        auto stored = readJsonEntry(archive, "config", file).get<train::TrainingConfig>();
        if (command.count("--kimg"))
            stored.kimg = config.kimg;
        if (command.count("--out") || args.distributed.active())  // a site's folder is derived from --out
            stored.outDir = config.outDir;
        if (command.count("--threads"))
            stored.threads = config.threads;
        if (command.count("--device"))
            stored.device = config.device;
        args.resume = file.string();
        return stored;
    }
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
    return config;
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
    cmd->callback([args, cmd, &exitCode] {
        args->config.network.resolution = args->resolution;
        auto& distributed = args->distributed;
        prepareDistributedOutput(distributed, args->config, *cmd);
        train::TrainingConfig config = resolveConfig(*args, *cmd);
        if (distributed.federated) {
            if (!args->resume.empty())
                restoreFederatedOptions(distributed, args->resume, *cmd);
            distributed.federation.validate();
            config.kimg = distributed.federation.rounds * distributed.federation.roundKimg;  // per site
        }
        const int threads = configureThreads(config.threads);
        const bool conditional = args->resume.empty() ? args->cond == "on" : config.network.classCount > 0;
        ReadOptions readOptions;
        readOptions.skipBad = args->skipBad;
        TerminalProgress bar(!args->json);
        auto prepared = prepareTrainingData(config, conditional, readOptions, !args->dryRun, bar.callback());
        bar.finish();
        config.validate();
        if (args->dryRun) {
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
                                   {"resume", args->resume}};
            if (distributed.federated)
                summary["federation"] = distributed.federation;
            if (!args->resume.empty()) {
                auto archive = openSnapshot(args->resume);
                summary["resume_kimg"] = readJsonEntry(archive, "progress", args->resume).value("kimg", 0.0);
            }
            std::cout << summary.dump(2) << "\n";
            exitCode = kOk;
            return;
        }
        train::Trainer trainer(config, std::move(prepared.data));
        if (distributed.active()) {
            if (distributed.dataParallel && !args->resume.empty())
                trainer.resume(args->resume);  // a federated site resumes the round all sites agree on
            exitCode = runDistributed(distributed, trainer, !args->resume.empty(), args->json);
            return;
        }
        if (!args->resume.empty())
            trainer.resume(args->resume);
        std::cerr << "training " << config.network.resolution << "x" << config.network.resolution << " "
                  << (conditional ? "conditional (" + std::to_string(config.network.classCount) + " classes)" : std::string("unconditional"))
                  << " on " << prepared.rows.size() << " images, " << runtimeDescription(trainer.device()) << ", from kimg "
                  << trainer.imagesShown() / 1000.0 << " to " << config.kimg << "; output " << config.outDir << "\n";
        const bool finished = trainer.run([&](const nlohmann::json& line) {
            printTick(line, args->json);
            return !interrupted();
        }, interrupted);
        if (!finished) {
            std::cerr << "dermgan: interrupted at kimg " << trainer.imagesShown() / 1000.0
                      << "; snapshot written, continue with --resume latest --out " << config.outDir << "\n";
            exitCode = kCancelled;
            return;
        }
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
