#include "distributed/federated_training.h"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/hashing.h"
#include "common/random.h"
#include "io/atomic_file.h"
#include "model/training_snapshot.h"
#include "train/tick_stats.h"

namespace dermgan::distributed {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string roundTag(int round)
{
    std::ostringstream out;
    out << std::setw(6) << std::setfill('0') << round;
    return out.str();
}

void appendLine(const fs::path& path, const nlohmann::json& line)
{
    std::ofstream out(path, std::ios::app);
    out << line.dump() << "\n" << std::flush;
}

// Drops the lines of rounds after `round`: they belong to a run that did not survive.
void keepRoundsUpTo(const fs::path& path, int round)
{
    std::ifstream in(path);
    if (!in.is_open())
        return;
    std::string kept, line;
    while (std::getline(in, line)) {
        try {
            if (nlohmann::json::parse(line).value("round", 0) <= round)
                kept += line + "\n";
        } catch (const nlohmann::json::exception&) {
            // a line cut by a kill
        }
    }
    writeTextFileAtomically(path, kept);
}

// The last completed round recorded in a site's latest snapshot, or -1 when it has none.
int recordedRound(const fs::path& siteDir)
{
    const fs::path latest = train::latestSnapshot(siteDir);
    if (latest.empty())
        return -1;
    const auto federation = TrainingSnapshotReader(latest).federation();
    try {
        return federation.at("round").get<int>();
    } catch (const std::exception&) {
        throw InputError("snapshot " + latest.string() + " is not a federated round snapshot; expected one written by "
                         "dermgan train --federated");
    }
}

// Mean of each numeric field over the tick lines of one round.
nlohmann::json meanOfTicks(const std::vector<nlohmann::json>& ticks)
{
    nlohmann::json mean = nlohmann::json::object();
    auto keys = train::trainingStatistics();
    keys.push_back("sec_per_kimg");
    for (const auto& key : keys) {
        double sum = 0.0;
        for (const auto& tick : ticks)
            sum += tick.value(key, 0.0);
        mean[key] = ticks.empty() ? 0.0 : sum / static_cast<double>(ticks.size());
    }
    return mean;
}

} // namespace

void FederatedOptions::validate() const
{
    if (rounds < 1)
        throw InputError("--rounds " + std::to_string(rounds) + " is out of range; expected at least 1");
    if (!(roundKimg > 0.0))
        throw InputError("--round-kimg " + std::to_string(roundKimg) + " is out of range; expected > 0");
    if (weighting != "samples" && weighting != "uniform")
        throw InputError("--weighting '" + weighting + "' is not known; expected samples or uniform");
    if (privacy.clip < 0.0 || privacy.noiseMultiplier < 0.0)
        throw InputError("--dp-clip and --dp-noise must not be negative");
    if (privacy.noiseMultiplier > 0.0 && privacy.clip == 0.0)
        throw InputError("--dp-noise needs --dp-clip: the noise is scaled to the clipping norm");
    if (keepEveryRounds < 0)
        throw InputError("--keep-every " + std::to_string(keepEveryRounds) + " is out of range; expected >= 0");
}

void to_json(nlohmann::json& json, const FederatedOptions& o)
{
    json = {{"rounds", o.rounds},
            {"round_kimg", o.roundKimg},
            {"weighting", o.weighting},
            {"dp_clip", o.privacy.clip},
            {"dp_noise_multiplier", o.privacy.noiseMultiplier},
            {"keep_local", o.keepLocal},
            {"keep_every_rounds", o.keepEveryRounds}};
}

void from_json(const nlohmann::json& json, FederatedOptions& o)
{
    o.rounds = json.at("rounds").get<int>();
    o.roundKimg = json.at("round_kimg").get<double>();
    o.weighting = json.at("weighting").get<std::string>();
    o.privacy.clip = json.at("dp_clip").get<double>();
    o.privacy.noiseMultiplier = json.at("dp_noise_multiplier").get<double>();
    o.keepLocal = json.value("keep_local", false);
    o.keepEveryRounds = json.value("keep_every_rounds", 5);
}

std::string federationHash(const train::TrainingConfig& config, const FederatedOptions& options)
{
    nlohmann::json shared = config;
    for (const char* local : {"dataset", "institution", "out_dir", "threads", "device", "kimg"})
        shared.erase(local);
    nlohmann::json federated = options;
    federated.erase("rounds");  // a resumed run may be extended
    federated.erase("keep_local");
    federated.erase("keep_every_rounds");
    return textHash(shared.dump() + federated.dump());
}

std::vector<torch::Tensor> sharedTensors(train::Trainer& trainer)
{
    std::vector<torch::Tensor> tensors;
    torch::nn::Module* modules[] = {trainer.generator().get(), trainer.discriminator().get(), trainer.generatorEma().get()};
    for (auto* module : modules) {
        for (const auto& parameter : module->parameters())
            tensors.push_back(parameter);
        for (const auto& buffer : module->buffers())
            if (buffer.is_floating_point())
                tensors.push_back(buffer);
    }
    return tensors;
}

FederatedRun::FederatedRun(train::Trainer& trainer, Aggregator& group, FederatedOptions options, fs::path root)
    : trainer_(trainer), group_(group), options_(std::move(options)), root_(std::move(root)),
      siteDir_(trainer.config().outDir)
{
    options_.validate();
    hash_ = federationHash(trainer_.config(), options_);
}

nlohmann::json FederatedRun::federationEntry() const
{
    return {{"round", round_}, {"rank", group_.rank()}, {"world", group_.world()}, {"config_hash", hash_},
            {"options", options_}, {"images", trainer_.trainingImages()}};
}

std::string FederatedRun::missingSites(const std::string& key) const
{
    std::string missing;
    for (int k = 0; k < group_.world(); ++k)
        if (!group_.published(key, k))
            missing += (missing.empty() ? "site " : ", site ") + std::to_string(k);
    return missing.empty() ? std::string() : missing + " had not reached the aggregation (dead, hung or slower); ";
}

fs::path FederatedRun::roundSnapshot(int round) const
{
    return siteDir_ / ("round-" + roundTag(round) + ".dermgan");
}

void FederatedRun::start(bool resume)
{
    fs::create_directories(siteDir_);
    const auto hashes = group_.exchange("config-hash", hash_);
    for (int k = 0; k < group_.world(); ++k)
        if (hashes[static_cast<std::size_t>(k)] != hashes[0])
            throw PeerError("site " + std::to_string(k) + "'s configuration (hash " + hashes[static_cast<std::size_t>(k)] +
                            ") differs from site 0's (" + hashes[0] + "); every site must run the same network, "
                            "training and federated options");

    if (!resume) {
        // Rank 0's initial weights everywhere, then a different random stream per site.
        group_.broadcast(sharedTensors(trainer_), 0);
        trainer_.reseed(deriveSeed(trainer_.config().seed, 1000 + static_cast<std::uint64_t>(group_.rank())));
        round_ = 0;
        for (const char* file : {"rounds.jsonl", "stats.jsonl"})
            fs::remove(siteDir_ / file);
        if (group_.rank() == 0)
            fs::remove(root_ / "rounds.jsonl");
    } else {
        const auto rounds = group_.exchange("resume-round", std::to_string(recordedRound(siteDir_)));
        int agreed = std::numeric_limits<int>::max();
        for (int k = 0; k < group_.world(); ++k) {
            const int r = std::stoi(rounds[static_cast<std::size_t>(k)]);
            if (r < 0)
                throw PeerError("site " + std::to_string(k) + " has no round snapshot to resume from; start the "
                                "federation again without --resume");
            agreed = std::min(agreed, r);
        }
        const fs::path file = roundSnapshot(agreed);
        if (!fs::exists(file))
            throw PeerError("site " + std::to_string(group_.rank()) + " no longer has " + file.string() +
                            ", the last round all sites completed; expected it to be kept");
        trainer_.resume(file);
        round_ = agreed;
        keepRoundsUpTo(siteDir_ / "rounds.jsonl", round_);
        if (group_.rank() == 0)
            keepRoundsUpTo(root_ / "rounds.jsonl", round_);
    }
    roundStart_.clear();
    for (const auto& tensor : sharedTensors(trainer_))
        roundStart_.push_back(tensor.detach().clone());
}

bool FederatedRun::run(const train::TickCallback& onTick, const RoundCallback& onRound,
                       const std::function<bool()>& stopRequested)
{
    const auto roundImages = std::llround(options_.roundKimg * 1000.0);
    const double weight = options_.weighting == "samples" ? static_cast<double>(trainer_.trainingImages()) : 1.0;
    while (round_ < options_.rounds) {
        const auto roundBegin = Clock::now();
        std::vector<nlohmann::json> ticks;
        const bool finished = trainer_.runUntil((round_ + 1) * roundImages, [&](const nlohmann::json& line) {
            ticks.push_back(line);
            return onTick ? onTick(line) : true;
        }, stopRequested, false);
        if (!finished)
            return false;
        const double trainSeconds = secondsSince(roundBegin);
        const int round = round_ + 1;
        if (options_.keepLocal)
            trainer_.saveSnapshot(siteDir_ / ("local-round-" + roundTag(round) + ".dermgan"), federationEntry());

        // Aggregate: announce arrival (so that a failure can name who never came), protect, average.
        const auto aggregateBegin = Clock::now();
        const std::string arrival = "arrived-" + std::to_string(round);
        group_.publish(arrival, "");
        auto tensors = sharedTensors(trainer_);
        const auto privacy = privatiseUpdate(tensors, roundStart_, options_.privacy,
                                             deriveSeed(trainer_.config().seed, (static_cast<std::uint64_t>(round) << 16) +
                                                                                    static_cast<std::uint64_t>(group_.rank())));
        // A failure names the sites that had not published `key` (Ctrl-C reaching every site is no failure).
        const auto namingMissing = [&](const std::string& key, const auto& body) {
            try {
                body();
                return true;
            } catch (const PeerError& e) {
                if (stopRequested && stopRequested())
                    return false;
                throw PeerError("round " + std::to_string(round) + ": " + missingSites(key) + e.what());
            }
        };
        if (!namingMissing(arrival, [&] { group_.weightedAverage(tensors, weight); }))
            return false;
        const double aggregateSeconds = secondsSince(aggregateBegin);
        round_ = round;

        nlohmann::json site = meanOfTicks(ticks);
        site.update({{"round", round_},
                     {"site", group_.rank()},
                     {"images", trainer_.trainingImages()},
                     {"weight", weight},
                     {"kimg", static_cast<double>(trainer_.imagesShown()) / 1000.0},
                     {"augment_p", trainer_.augmentP()},
                     {"sec_train", trainSeconds},
                     {"sec_aggregate", aggregateSeconds},
                     {"update_norm", privacy.updateNorm},
                     {"clip_scale", privacy.scale},
                     {"noise_std", privacy.noiseStd}});
        saveRound();
        appendLine(siteDir_ / "rounds.jsonl", site);
        const std::string statsKey = "round-" + std::to_string(round_);
        std::vector<std::string> sites;
        if (!namingMissing(statsKey, [&] { sites = group_.exchange(statsKey, site.dump()); }))
            return false;
        nlohmann::json global = site;
        if (group_.rank() == 0) {
            global = {{"round", round_}, {"sec_round", secondsSince(roundBegin)}, {"sites", nlohmann::json::array()}};
            double kimg = 0.0;
            for (const auto& text : sites) {
                global["sites"].push_back(nlohmann::json::parse(text));
                kimg += global["sites"].back().value("kimg", 0.0);
            }
            global["kimg_all_sites"] = kimg;
            global["dp_clip"] = options_.privacy.clip;
            global["dp_noise_multiplier"] = options_.privacy.noiseMultiplier;
            appendLine(root_ / "rounds.jsonl", global);
        }
        if (onRound)
            onRound(global);
        roundStart_.clear();
        for (const auto& tensor : tensors)
            roundStart_.push_back(tensor.detach().clone());
    }
    return true;
}

void FederatedRun::saveRound()
{
    std::vector<fs::path> copies;
    if (group_.rank() == 0)
        copies.push_back(root_ / "latest.dermgan");  // the global model, for generate / the explorer
    trainer_.saveSnapshot(roundSnapshot(round_), federationEntry(), copies);
    const bool grid = round_ == options_.rounds || (options_.keepEveryRounds > 0 && round_ % options_.keepEveryRounds == 0);
    if (group_.rank() == 0 && grid)
        trainer_.writeSampleGrid(root_ / ("fakes-round-" + roundTag(round_) + ".png"));
    pruneRounds();
}

void FederatedRun::pruneRounds() const
{
    const int old = round_ - 2;  // the last two stay: a site may die between aggregating and saving
    if (old < 1 || (options_.keepEveryRounds > 0 && old % options_.keepEveryRounds == 0))
        return;
    std::error_code ec;
    fs::remove(roundSnapshot(old), ec);
}

} // namespace dermgan::distributed
