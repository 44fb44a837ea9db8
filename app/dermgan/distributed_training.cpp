#include "distributed_training.h"

#include <chrono>
#include <cstdlib>
#include <future>
#include <iomanip>
#include <iostream>

#include "common/errors.h"
#include "common/random.h"
#include "common/runtime.h"
#include "common/exit_codes.h"
#include "terminal_progress.h"
#include "model/training_snapshot.h"

namespace dermgan::cli {

namespace fs = std::filesystem;

namespace {

void printRound(const nlohmann::json& round, bool json)
{
    if (json) {
        std::cout << nlohmann::json{{"round", round}}.dump() << std::endl;
        return;
    }
    std::cout << "round " << round.value("round", 0);
    if (round.contains("sites")) {
        std::cout << std::fixed << std::setprecision(1) << "  " << round.value("sec_round", 0.0) << " s  kimg (all sites) "
                  << round.value("kimg_all_sites", 0.0);
        for (const auto& site : round["sites"])
            std::cout << std::setprecision(2) << "  | site " << site.value("site", 0) << ": train "
                      << site.value("sec_train", 0.0) << " s, aggregate " << site.value("sec_aggregate", 0.0) << " s";
    }
    std::cout << std::endl;
}

int runFederated(DistributedArgs& args, distributed::Aggregator& group, train::Trainer& trainer, bool resume, bool json)
{
    const fs::path siteDir = trainer.config().outDir;
    distributed::FederatedRun run(trainer, group, args.federation, siteDir.parent_path());
    run.start(resume);
    std::cerr << "site " << group.rank() << " of " << group.world() << ": federated training: " << trainer.trainingImages() << " images, round "
              << run.completedRounds() << " of " << args.federation.rounds << ", " << args.federation.roundKimg
              << " local kimg per round, " << runtimeDescription(trainer.device()) << "; output " << siteDir.string()
              << "\n";
    const bool finished = run.run([&](const nlohmann::json& line) {
        printTick(line, json);
        return !interrupted();
    }, [&](const nlohmann::json& round) { printRound(round, json); }, interrupted);
    if (!finished) {
        if (run.completedRounds() > 0)
            std::cerr << "dermgan: site " << group.rank() << " interrupted; round " << run.completedRounds()
                      << " is on disk: continue every site with --resume latest\n";
        else
            std::cerr << "dermgan: site " << group.rank() << " interrupted before the first round completed; "
                      << "nothing to resume, start again\n";
        return kCancelled;
    }
    return kOk;
}

int runDataParallel(distributed::Aggregator& group, train::Trainer& trainer, bool resume, bool json)
{
    train::DataParallel parallel;
    parallel.rank = group.rank();
    parallel.world = group.world();
    parallel.averageGradients = [&group](const std::vector<torch::Tensor>& tensors) { group.average(tensors); };
    if (!resume) {
        group.broadcast(distributed::sharedTensors(trainer), 0);  // rank 0's initial weights everywhere
        trainer.reseed(deriveSeed(trainer.config().seed, 2000 + static_cast<std::uint64_t>(group.rank())));
    }
    const auto positions = group.exchange("resume-nimg", std::to_string(trainer.imagesShown()));
    for (int k = 0; k < group.world(); ++k)
        if (positions[static_cast<std::size_t>(k)] != positions[0])
            throw distributed::PeerError("rank " + std::to_string(k) + " resumed at image " + positions[static_cast<std::size_t>(k)] +
                                         ", rank 0 at " + positions[0] + "; expected every rank's latest snapshot of the same step");
    trainer.enableDataParallel(parallel);
    const bool finished = trainer.run([&](const nlohmann::json& line) {
        if (group.rank() == 0)
            printTick(line, json);
        return !interrupted();
    }, interrupted);
    return finished ? kOk : kCancelled;
}

} // namespace

void addDistributedOptions(CLI::App& cmd, DistributedArgs& a)
{
    const char* group = "Federated / data-parallel (c10d Gloo)";
    cmd.add_flag("--federated", a.federated, "Train as one institution of a federation (FedAvg of G, D, G_ema per round)")
        ->group(group);
    cmd.add_flag("--data-parallel", a.dataParallel, "Train as one process of a data-parallel run (gradient all-reduce)")
        ->group(group);
    cmd.add_option("--rank", a.rendezvous.rank, "This process's rank (site number), 0-based")->group(group);
    cmd.add_option("--world", a.rendezvous.world, "Number of processes (sites)")->group(group);
    cmd.add_option("--master", a.rendezvous.master, "host:port of the TCPStore that rank 0 serves")->group(group);
    cmd.add_option("--store-file", a.rendezvous.storeFile, "A FileStore path instead of --master (one machine): a new path per launch, as a crashed run's file keeps its keys")->group(group);
    cmd.add_option("--timeout", a.timeoutSeconds, "Seconds to wait for the others (joining, each aggregation)")
        ->capture_default_str()->group(group);
    auto& f = a.federation;
    cmd.add_option("--rounds", f.rounds, "Federated rounds")->capture_default_str()->group(group);
    cmd.add_option("--round-kimg", f.roundKimg, "Local kimg per site and round")->capture_default_str()->group(group);
    cmd.add_option("--weighting", f.weighting, "Average weighted by sample count (samples) or uniform")
        ->capture_default_str()->group(group);
    cmd.add_option("--dp-clip", f.privacy.clip, "Clip each site's round update to this L2 norm (0 = off)")
        ->capture_default_str()->group(group);
    cmd.add_option("--dp-noise", f.privacy.noiseMultiplier, "Gaussian noise multiplier: std = multiplier * clip")
        ->capture_default_str()->group(group);
    cmd.add_flag("--keep-local", f.keepLocal, "Also keep each site's pre-aggregation weights per round (local-round-*)")
        ->group(group);
    cmd.add_option("--keep-every", f.keepEveryRounds, "Keep every N-th round snapshot (the last two are always kept)")
        ->capture_default_str()->group(group);
}

void prepareDistributedOutput(DistributedArgs& args, train::TrainingConfig& config, const CLI::App& command)
{
    if (args.federated && args.dataParallel)
        throw InputError("--federated and --data-parallel exclude each other; expected one of them");
    const bool anyGroupOption = command.count("--rank") || command.count("--world") || command.count("--master") ||
                                command.count("--store-file");
    if (!args.active()) {
        if (anyGroupOption)
            throw InputError("--rank/--world/--master/--store-file need --federated or --data-parallel");
        return;
    }
    args.rendezvous.timeout = std::chrono::seconds(args.timeoutSeconds);
    if (args.timeoutSeconds < 1)
        throw InputError("--timeout " + std::to_string(args.timeoutSeconds) + " is out of range; expected >= 1 second");
    if (args.rendezvous.world < 1 || args.rendezvous.rank < 0 || args.rendezvous.rank >= args.rendezvous.world)
        throw InputError("--rank " + std::to_string(args.rendezvous.rank) + " --world " + std::to_string(args.rendezvous.world) +
                         " is impossible; expected 0 <= rank < world");
    if (args.rendezvous.master.empty() == args.rendezvous.storeFile.empty())
        throw InputError("give the processes one meeting point: --master host:port or --store-file PATH");
    const fs::path root = config.outDir;
    const std::string rank = std::to_string(args.rendezvous.rank);
    if (args.federated) {
        if (command.count("--kimg"))
            throw InputError("--kimg does not apply to --federated: a site trains --rounds x --round-kimg kimg");
        config.outDir = (root / ("site-" + rank)).string();
        // Site k trains on institution k of the dataset's split, unless told otherwise (-1: its own whole folder).
        if (!command.count("--institution"))
            config.institution = args.rendezvous.rank;
    } else if (args.rendezvous.rank > 0) {
        config.outDir = (root / ("rank-" + rank)).string();
    }
}

void restoreFederatedOptions(DistributedArgs& args, const fs::path& snapshot, const CLI::App& command)
{
    if (!args.federated)
        return;
    const auto entry = TrainingSnapshotReader(snapshot).federation();
    if (entry.is_null())
        throw InputError("snapshot " + snapshot.string() + " is not a federated round snapshot; expected one written by "
                         "dermgan train --federated");
    const int rounds = args.federation.rounds;
    args.federation = entry.at("options").get<distributed::FederatedOptions>();
    if (command.count("--rounds"))
        args.federation.rounds = rounds;
}

// Joining blocks inside c10d until every site has come (or --timeout passes) and no signal interrupts it
// there, so it runs on its own thread while this one watches for Ctrl-C / SIGTERM. On a signal nothing has
// been trained or written yet: the process ends at once with 130.
std::unique_ptr<distributed::Aggregator> joinInterruptibly(const distributed::Rendezvous& rendezvous)
{
    auto joining = std::async(std::launch::async, [rendezvous] { return distributed::connect(rendezvous); });
    while (joining.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (interrupted()) {
            std::cerr << "dermgan: site " << rendezvous.rank
                      << " interrupted while waiting for the other sites to join; no round ran, nothing to resume\n";
            std::_Exit(kCancelled);
        }
    }
    return joining.get();
}

int runDistributed(DistributedArgs& args, train::Trainer& trainer, bool resume, bool json)
{
    auto group = joinInterruptibly(args.rendezvous);
    return args.federated ? runFederated(args, *group, trainer, resume, json)
                          : runDataParallel(*group, trainer, resume, json);
}

} // namespace dermgan::cli
