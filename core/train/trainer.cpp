#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <ATen/record_function.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "common/process_memory.h"
#include "common/runtime.h"
#include "data/image_store.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"
#include "io/run_folder_lock.h"
#include "model/training_snapshot.h"
#include "nets/module_copy.h"
#include "train/augment_pipe.h"
#include "train/losses.h"
#include "train/real_sampler.h"
#include "train/sample_grid.h"
#include "train/tick_stats.h"

namespace dermgan::train {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace {

using Clock = std::chrono::steady_clock;

void setRequiresGrad(torch::nn::Module& module, bool on)
{
    for (auto& parameter : module.parameters())
        parameter.set_requires_grad(on);
}

// "000050" for 50 kimg, "000000.100" for 0.1 kimg: whole kimg keep the reference's name, anything finer
// gets the images after the point, so that snapshots under 1 kimg apart never share (and overwrite) a name.
std::string kimgTag(int64_t nimg)
{
    std::ostringstream out;
    out << std::setw(6) << std::setfill('0') << nimg / 1000;
    if (nimg % 1000 != 0)
        out << '.' << std::setw(3) << std::setfill('0') << nimg % 1000;
    return out.str();
}

std::vector<int64_t> samplerLabels(const std::vector<int>& labels)
{
    return {labels.begin(), labels.end()};
}

} // namespace

struct Trainer::State {
    TrainingConfig config;
    TrainingData data;
    c10::Device device = c10::kCPU;
    nets::Generator G{nullptr}, G_ema{nullptr};
    nets::Discriminator D{nullptr};
    std::unique_ptr<torch::optim::Adam> optG, optD;
    AugmentSpec augmentSpec;
    AdaController ada;
    std::unique_ptr<RealSampler> sampler;
    Rng rng{0};                 // x-flips of reals
    DataParallel parallel;
    int localBatch = 0;         // images per step drawn by this process: batch / world
    int64_t nimg = 0, step = 0, tick = 0;
    double plMean = 0.0;
    double wallSeconds = 0.0;   // training time over all sessions of this run
    TickStats tickStats{trainingStatistics()};

    torch::TensorOptions options() const { return torch::TensorOptions().device(device); }

    torch::Tensor classes(const std::vector<int64_t>& labels) const
    {
        return nets::oneHot(labels, config.network.classCount, options());
    }

    // Mapping with style mixing, as the reference's run_G.
    torch::Tensor mapWithMixing(const torch::Tensor& z, const torch::Tensor& c, bool updateWAvg)
    {
        auto ws = G->mapping->forward(z, c, 1.0, -1, updateWAvg);
        if (config.styleMixing > 0.0) {
            const int64_t numWs = ws.size(1);
            const int64_t cutoff = torch::randint(1, numWs, {1}).item<int64_t>();
            if (torch::rand({1}).item<double>() < config.styleMixing) {
                const auto mixed = G->mapping->forward(torch::randn_like(z), c, 1.0, -1, false);
                ws = torch::cat({ws.narrow(1, 0, cutoff), mixed.narrow(1, cutoff, numWs - cutoff)}, 1);
            }
        }
        return ws;
    }

    torch::Tensor runD(const torch::Tensor& images, const torch::Tensor& c)
    {
        return D->forward(augment(images, ada.p, augmentSpec), c);
    }

    std::pair<torch::Tensor, torch::Tensor> realBatch()
    {
        const auto rows = sampler->nextBatch(localBatch);
        LoadedImages view;
        view.pixels = data.pixels;
        auto images = imageBatch(view, rows, config.mirror, rng).to(device);
        std::vector<int64_t> labels;
        for (auto row : rows)
            labels.push_back(data.labels[static_cast<std::size_t>(row)]);
        return {images, classes(labels)};
    }

    void updateEma()
    {
        torch::NoGradGuard noGrad;
        double emaNimg = config.emaKimg * 1000.0;
        if (config.emaRampup > 0.0)
            emaNimg = std::min(emaNimg, static_cast<double>(nimg) * config.emaRampup);
        const double beta = std::pow(0.5, config.batch / std::max(emaNimg, 1e-8));
        auto source = G->named_parameters();
        for (auto& item : G_ema->named_parameters())
            item.value().copy_(source[item.key()].detach().lerp(item.value(), beta));
        nets::copyBuffers(*G, *G_ema);
    }

    void trainGenerator()
    {
        setRequiresGrad(*G, true);
        setRequiresGrad(*D, false);
        optG->zero_grad();
        const auto z = torch::randn({localBatch, config.network.zDim}, options());
        const auto c = classes(sampler->fakeLabels(localBatch));
        const auto images = G->synthesis->forward(mapWithMixing(z, c, true), nets::NoiseMode::Random, false);
        const auto loss = F::softplus(-runD(images, c)).mean();
        loss.backward();
        averageGradients(parallel, *G);
        optG->step();
        tickStats.report("loss_g", loss.item<double>());

        if (config.plWeight > 0.0 && step % config.plInterval == 0) {
            optG->zero_grad();
            const int half = std::max(1, localBatch / 2);
            const auto zPl = torch::randn({half, config.network.zDim}, options());
            const auto cPl = classes(sampler->fakeLabels(half));
            const auto ws = mapWithMixing(zPl, cPl, false);
            const auto plImages = G->synthesis->forward(ws, nets::NoiseMode::Random, false);
            const auto penalty = pathLengthPenalty(plImages, ws, plMean);
            (penalty.mean() * config.plWeight * config.plInterval).backward();
            averageGradients(parallel, *G);
            optG->step();
            tickStats.report("pl_penalty", penalty.mean().item<double>());
        }
    }

    void trainDiscriminator()
    {
        setRequiresGrad(*G, false);
        setRequiresGrad(*D, true);
        optD->zero_grad();
        torch::Tensor fakes, fakeClasses;
        {
            torch::NoGradGuard noGrad;
            const auto z = torch::randn({localBatch, config.network.zDim}, options());
            fakeClasses = classes(sampler->fakeLabels(localBatch));
            fakes = G->synthesis->forward(mapWithMixing(z, fakeClasses, false), nets::NoiseMode::Random, false);
        }
        const auto [reals, realClasses] = realBatch();
        torch::Tensor fakeLogits, realLogits;
        std::tie(fakeLogits, realLogits) = nets::discriminatePair(D, augment(fakes, ada.p, augmentSpec), fakeClasses,
                                                                  augment(reals, ada.p, augmentSpec), realClasses);
        const auto lossFake = F::softplus(fakeLogits).mean();
        const auto lossReal = F::softplus(-realLogits).mean();
        (lossFake + lossReal).backward();
        // ADA's statistics travel with D's gradients, so that every process adapts p alike.
        auto adaStats = torch::tensor({realLogits.detach().sign().sum().item<double>(), static_cast<double>(localBatch)},
                                      torch::kDouble);
        const double localSignSum = adaStats[0].item<double>();
        averageGradients(parallel, *D, adaStats);
        optD->step();
        const double world = parallel.world;
        if (config.augment != "none")
            ada.accumulate(adaStats[0].item<double>() * world, std::llround(adaStats[1].item<double>() * world),
                           config.batch);
        tickStats.report("loss_d_fake", lossFake.item<double>());
        tickStats.report("loss_d_real", lossReal.item<double>());
        tickStats.report("d_real_sign", localSignSum / localBatch);

        const double gamma = config.effectiveR1Gamma();
        if (gamma > 0.0 && step % config.r1Interval == 0) {
            optD->zero_grad();
            RECORD_FUNCTION("dermgan::r1", std::vector<c10::IValue>());
            // (C++17 lambdas cannot capture a structured binding itself: it is bound to a reference here.)
            const auto penalty = r1Penalty([&, &classes = realClasses](const torch::Tensor& x) { return runD(x, classes); }, reals);
            (penalty.mean() * (gamma / 2) * config.r1Interval).backward();
            averageGradients(parallel, *D);
            optD->step();
            tickStats.report("r1_penalty", penalty.mean().item<double>());
        }
    }

    TrainingProgress progress() const
    {
        std::vector<std::size_t> classImages(static_cast<std::size_t>(config.network.classCount), 0);
        for (int label : data.labels)
            if (label >= 0 && label < config.network.classCount)
                ++classImages[static_cast<std::size_t>(label)];
        return {nimg, step, tick, ada.p, ada.pendingSignSum, ada.pendingCount, ada.pendingSteps, ada.lastSignMean,
                plMean, wallSeconds, data.labels.size(), runtimeDescription(device), classImages};
    }

    void restore(const TrainingProgress& progress)
    {
        nimg = progress.nimg;
        step = progress.step;
        tick = progress.tick;
        ada.p = progress.augmentP;
        ada.pendingSignSum = progress.adaPendingSignSum;
        ada.pendingCount = progress.adaPendingCount;
        ada.pendingSteps = progress.adaPendingSteps;
        ada.lastSignMean = progress.adaLastSignMean;
        plMean = progress.plMean;
        wallSeconds = progress.wallSeconds;
    }
};

Trainer::Trainer(TrainingConfig config, TrainingData data) : s_(std::make_unique<State>())
{
    config.validate();
    if (data.pixels.size(0) == 0 || static_cast<std::size_t>(data.pixels.size(0)) != data.labels.size())
        throw InputError("training data is empty or has " + std::to_string(data.labels.size()) + " labels for " +
                         std::to_string(data.pixels.size(0)) + " images");
    if (data.pixels.size(2) != config.network.resolution)
        throw InputError("training images are " + std::to_string(data.pixels.size(2)) + "x" +
                         std::to_string(data.pixels.size(3)) + "; the network expects " +
                         std::to_string(config.network.resolution));
    for (auto label : data.labels)
        if (label >= config.network.classCount || (config.network.classCount > 0 && label < 0))
            throw InputError("training label " + std::to_string(label) + " is outside the network's " +
                             std::to_string(config.network.classCount) + " classes");
    s_->config = std::move(config);
    s_->data = std::move(data);
    auto& s = *s_;
    s.device = selectDevice(s.config.device);
    torch::manual_seed(s.config.seed);
    s.G = nets::Generator(s.config.network);
    s.D = nets::Discriminator(s.config.network);
    s.G_ema = nets::Generator(s.config.network);
    nets::copyModuleState(*s.G, *s.G_ema);
    s.G->to(s.device);
    s.D->to(s.device);
    s.G_ema->to(s.device);
    setRequiresGrad(*s.G_ema, false);

    // Lazy regularisation runs every k steps with a k-times larger weight; the reference rescales Adam so
    // that the main and regularisation steps together behave like an un-lazy optimiser.
    auto adam = [&](torch::nn::Module& module, double lr, int interval, bool lazy) {
        const double ratio = lazy ? static_cast<double>(interval) / (interval + 1) : 1.0;
        return std::make_unique<torch::optim::Adam>(
            module.parameters(), torch::optim::AdamOptions(lr * ratio)
                                     .betas({std::pow(s.config.beta1, ratio), std::pow(s.config.beta2, ratio)})
                                     .eps(1e-8));
    };
    s.optG = adam(*s.G, s.config.lrG, s.config.plInterval, s.config.plWeight > 0.0);
    s.optD = adam(*s.D, s.config.lrD, s.config.r1Interval, s.config.effectiveR1Gamma() > 0.0);
    s.augmentSpec = AugmentSpec::fromString(s.config.augment);
    s.augmentSpec.waveletResampling = s.config.adaResample == "wavelet";
    s.ada = AdaController(s.config.augmentTarget, s.config.adaInterval, s.config.adaKimg);
    s.ada.p = s.config.augment == "none" ? 0.0 : s.config.augmentP;
    s.sampler = std::make_unique<RealSampler>(samplerLabels(s.data.labels), s.config.network.classCount, s.config.classBalanced,
                                              s.config.seed);
    s.rng = Rng(deriveSeed(s.config.seed, 12));
    s.localBatch = s.config.batch;
}

Trainer::~Trainer() = default;

void Trainer::step()
{
    auto& s = *s_;
    s.G->train();
    s.D->train();
    // Named scopes for the profiler (bench_training --profile); a flag check when no profiler listens.
    {
        RECORD_FUNCTION("dermgan::train_G", std::vector<c10::IValue>());
        s.trainGenerator();
    }
    {
        RECORD_FUNCTION("dermgan::train_D", std::vector<c10::IValue>());
        s.trainDiscriminator();
    }
    {
        RECORD_FUNCTION("dermgan::ema", std::vector<c10::IValue>());
        s.updateEma();
    }
    s.nimg += s.config.batch;
    ++s.step;
}

bool Trainer::run(const TickCallback& onTick, const std::function<bool()>& stopRequested)
{
    // Rounded, not truncated: 0.056 * 1000 is 55.99999... in binary floating point.
    return runUntil(std::llround(s_->config.kimg * 1000.0), onTick, stopRequested, true);
}

bool Trainer::runUntil(int64_t end, const TickCallback& onTick, const std::function<bool()>& stopRequested,
                       bool writeSnapshots)
{
    auto& s = *s_;
    const fs::path out = s.config.outDir;
    const RunFolderLock lock(out);  // one writer per folder: a second run refuses, naming this process
    writeTextFileAtomically(out / "training_options.json", nlohmann::json(s.config).dump(2) + "\n");
    std::ofstream stats(out / "stats.jsonl", std::ios::app);
    const auto tickImages = std::max<int64_t>(1, std::llround(s.config.tickKimg * 1000.0));
    const auto snapshotImages = std::max<int64_t>(1, std::llround(s.config.snapshotKimg * 1000.0));
    int64_t nextTick = (s.nimg / tickImages + 1) * tickImages;
    int64_t nextSnapshot = (s.nimg / snapshotImages + 1) * snapshotImages;
    auto tickStart = Clock::now();
    int64_t tickStartNimg = s.nimg;

    while (s.nimg < end) {
        step();
        const bool done = s.nimg >= end;
        if (s.nimg < nextTick && !done && !(stopRequested && stopRequested()))
            continue;
        const double seconds = std::chrono::duration<double>(Clock::now() - tickStart).count();
        s.wallSeconds += seconds;
        const double kimgDone = static_cast<double>(s.nimg - tickStartNimg) / 1000.0;
        nlohmann::json line{{"tick", s.tick},
                            {"kimg", static_cast<double>(s.nimg) / 1000.0},
                            {"step", s.step},
                            {"sec_per_tick", seconds},
                            {"sec_per_kimg", kimgDone > 0 ? seconds / kimgDone : 0.0},
                            {"images_per_sec", seconds > 0 ? kimgDone * 1000.0 / seconds : 0.0},
                            {"augment_p", s.ada.p},
                            {"rss_mb", residentMegabytes()},
                            {"wall_seconds", s.wallSeconds},
                            {"timestamp", std::chrono::duration<double>(
                                              std::chrono::system_clock::now().time_since_epoch()).count()}};
        for (const auto& [name, mean] : s.tickStats.collect())
            line[name] = mean;
        ++s.tick;
        stats << line.dump() << "\n" << std::flush;
        bool snapshotWritten = false;
        if (writeSnapshots && (s.nimg >= nextSnapshot || done)) {
            // Named by the checkpoint reached (the run's end, or the last multiple of --snap), not by the
            // images shown, which overshoot it by up to a batch: 50 kimg at batch 32 is snapshot-000050.
            const int64_t checkpoint = done ? end : (s.nimg / snapshotImages) * snapshotImages;
            saveSnapshot(out / ("snapshot-" + kimgTag(checkpoint) + ".dermgan"));
            train::writeSampleGrid(s.G_ema, out / ("fakes-" + kimgTag(checkpoint) + ".png"), s.nimg / 1000);
            snapshotWritten = true;
            nextSnapshot = (s.nimg / snapshotImages + 1) * snapshotImages;
        }
        nextTick = (s.nimg / tickImages + 1) * tickImages;
        if (onTick && !onTick(line)) {
            if (writeSnapshots && !snapshotWritten)
                saveSnapshot(out / ("snapshot-" + kimgTag(s.nimg) + ".dermgan"));
            return false;
        }
        tickStart = Clock::now();
        tickStartNimg = s.nimg;
    }
    return true;
}

void Trainer::saveSnapshot(const fs::path& path, const nlohmann::json& federation,
                           const std::vector<fs::path>& copies) const
{
    auto& s = *s_;
    std::ostringstream flips;
    flips << s.rng;
    std::vector<fs::path> destinations{path};
    if (path.parent_path() == fs::path(s.config.outDir))
        destinations.push_back(path.parent_path() / "latest.dermgan");
    destinations.insert(destinations.end(), copies.begin(), copies.end());
    writeTrainingSnapshot({s.config, s.progress(), federation, *s.G_ema, *s.G, *s.D, *s.optG, *s.optD,
                           at::detail::getDefaultCPUGenerator().get_state(), s.sampler->state(), flips.str()},
                          destinations);
}

void Trainer::resume(const fs::path& path)
{
    // Any failure of a damaged or foreign file is one line naming it (a shrunk member once crashed here).
    readingFile(path, "a dermgan training snapshot (latest.dermgan or snapshot-*.dermgan of dermgan train)", [&] {
        auto& s = *s_;
        TrainingSnapshotReader snapshot(path);
        const auto stored = snapshot.config();
        if (nlohmann::json(stored.network) != nlohmann::json(s.config.network))
            throw InputError("snapshot " + path.string() + " was trained with another network configuration (" +
                             nlohmann::json(stored.network).dump() + "); expected the one of this run");
        const auto progress = snapshot.progress();
        if (progress.images != s.data.labels.size())
            throw InputError("snapshot " + path.string() + " was trained on " + std::to_string(progress.images) +
                             " images; this run has " +
                             std::to_string(s.data.labels.size()) + " (another dataset or split?)");
        snapshot.loadNetworks(*s.G_ema, *s.G, *s.D);
        s.G->to(s.device);
        s.D->to(s.device);
        s.G_ema->to(s.device);
        const auto streams = snapshot.loadOptimisersAndRng(*s.optG, *s.optD);
        auto generator = at::detail::getDefaultCPUGenerator();  // shares the global generator's state
        generator.set_state(streams.torchRngState);
        s.sampler->restore(streams.samplerState);
        std::istringstream flips(streams.flipState);
        flips >> s.rng;
        s.restore(progress);
    });

    // Outside the file check: a failed rewrite here is this run's folder, not a bad snapshot.
    auto& s = *s_;
    // Stats lines written after this snapshot belong to a run that did not survive: drop them.
    const fs::path statsPath = fs::path(s.config.outDir) / "stats.jsonl";
    std::ifstream in(statsPath);
    std::string kept, line;
    while (std::getline(in, line)) {
        try {
            if (nlohmann::json::parse(line).value("kimg", 0.0) * 1000.0 <= static_cast<double>(s.nimg) + 0.5)
                kept += line + "\n";
        } catch (const nlohmann::json::exception&) {
            // a line cut by the kill: drop it
        }
    }
    if (in.is_open())
        writeTextFileAtomically(statsPath, kept);
}

void Trainer::writeSampleGrid(const fs::path& path) { train::writeSampleGrid(s_->G_ema, path, s_->nimg / 1000); }

void Trainer::reseed(std::uint64_t seed)
{
    auto& s = *s_;
    torch::manual_seed(seed);
    s.sampler = std::make_unique<RealSampler>(samplerLabels(s.data.labels), s.config.network.classCount, s.config.classBalanced, seed);
    s.rng = Rng(deriveSeed(seed, 12));
}

void Trainer::enableDataParallel(DataParallel parallel)
{
    auto& s = *s_;
    if (parallel.world < 1 || parallel.rank < 0 || parallel.rank >= parallel.world)
        throw InputError("data-parallel rank " + std::to_string(parallel.rank) + " of " + std::to_string(parallel.world) +
                         " is impossible; expected 0 <= rank < world");
    if (s.config.batch % parallel.world != 0)
        throw InputError("batch " + std::to_string(s.config.batch) + " cannot be split over " +
                         std::to_string(parallel.world) + " processes; expected a multiple of the world size");
    s.localBatch = s.config.batch / parallel.world;
    s.parallel = std::move(parallel);
}

const TrainingConfig& Trainer::config() const { return s_->config; }
std::size_t Trainer::trainingImages() const { return s_->data.labels.size(); }
int64_t Trainer::imagesShown() const { return s_->nimg; }
int64_t Trainer::steps() const { return s_->step; }
double Trainer::augmentP() const { return s_->ada.p; }
nets::Generator& Trainer::generator() { return s_->G; }
nets::Generator& Trainer::generatorEma() { return s_->G_ema; }
nets::Discriminator& Trainer::discriminator() { return s_->D; }
c10::Device Trainer::device() const { return s_->device; }

fs::path latestSnapshot(const fs::path& outDir)
{
    const fs::path latest = outDir / "latest.dermgan";
    std::error_code ec;
    return fs::exists(latest, ec) ? latest : fs::path();
}

} // namespace dermgan::train
