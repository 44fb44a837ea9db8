#include "model/training_snapshot.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "model/snapshot_layout.h"

namespace dermgan {

namespace fs = std::filesystem;
namespace entry = snapshot_layout::entry;

void to_json(nlohmann::json& j, const TrainingProgress& p)
{
    j = {{"nimg", p.nimg},
         {"kimg", p.kimg()},
         {"step", p.step},
         {"tick", p.tick},
         {"augment_p", p.augmentP},
         {"ada_pending_sign_sum", p.adaPendingSignSum},
         {"ada_pending_count", p.adaPendingCount},
         {"ada_pending_steps", p.adaPendingSteps},
         {"ada_last_sign_mean", p.adaLastSignMean},
         {"pl_mean", p.plMean},
         {"wall_seconds", p.wallSeconds},
         {"images", p.images},
         {"runtime", p.runtime}};
    if (!p.classImages.empty())
        j["class_images"] = p.classImages;
}

void from_json(const nlohmann::json& j, TrainingProgress& p)
{
    p.nimg = j.at("nimg").get<int64_t>();
    p.step = j.at("step").get<int64_t>();
    p.tick = j.at("tick").get<int64_t>();
    p.augmentP = j.at("augment_p").get<double>();
    p.adaPendingSignSum = j.value("ada_pending_sign_sum", 0.0);
    p.adaPendingCount = j.value("ada_pending_count", int64_t{0});
    p.adaPendingSteps = j.value("ada_pending_steps", 0);
    p.adaLastSignMean = j.value("ada_last_sign_mean", 0.0);
    p.plMean = j.value("pl_mean", 0.0);
    p.wallSeconds = j.value("wall_seconds", 0.0);
    p.images = j.value("images", std::size_t{0});
    p.runtime = j.value("runtime", std::string());
    p.classImages = j.value("class_images", std::vector<std::size_t>{});
}

void writeTrainingSnapshot(const TrainingSnapshotContents& contents, const std::vector<fs::path>& destinations)
{
    torch::serialize::OutputArchive archive;
    snapshot_layout::writeHeader(archive, contents.config);
    writeJsonEntry(archive, entry::kProgress, contents.progress);
    if (!contents.federation.is_null())
        writeJsonEntry(archive, entry::kFederation, contents.federation);
    const std::pair<const char*, torch::nn::Module*> modules[] = {{entry::kGeneratorEma, &contents.generatorEma},
                                                                  {entry::kGenerator, &contents.generator},
                                                                  {entry::kDiscriminator, &contents.discriminator}};
    for (const auto& [key, module] : modules) {
        torch::serialize::OutputArchive network;
        module->save(network);
        archive.write(key, network);
    }
    torch::serialize::OutputArchive optimiserG, optimiserD;
    contents.optimiserG.save(optimiserG);
    contents.optimiserD.save(optimiserD);
    archive.write(entry::kOptimiserG, optimiserG);
    archive.write(entry::kOptimiserD, optimiserD);
    archive.write(entry::kTorchRng, contents.torchRngState);
    archive.write(entry::kSamplerRng, c10::IValue(contents.samplerState));
    archive.write(entry::kFlipRng, c10::IValue(contents.flipState));
    saveArchive(archive, destinations);
}

// Version 1 is the only layout so far: a new one branches on opened_.version in the accessors.
TrainingSnapshotReader::TrainingSnapshotReader(const fs::path& path)
    : path_(path), opened_(snapshot_layout::openSnapshot(path))
{
}

train::TrainingConfig TrainingSnapshotReader::config()
{
    try {
        return readJsonEntry(opened_.archive, entry::kConfig, path_).get<train::TrainingConfig>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError("snapshot " + path_.string() + " has an incomplete config: " + errorSummary(e));
    }
}

TrainingProgress TrainingSnapshotReader::progress()
{
    try {
        return readJsonEntry(opened_.archive, entry::kProgress, path_).get<TrainingProgress>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError("snapshot " + path_.string() + " has no training progress (a generator-only export?): " +
                         errorSummary(e));
    }
}

double TrainingSnapshotReader::kimg()
{
    const auto progress = readJsonEntry(opened_.archive, entry::kProgress, path_);
    return progress.is_object() ? progress.value("kimg", 0.0) : 0.0;
}

nlohmann::json TrainingSnapshotReader::federation()
{
    c10::IValue stored;
    if (!opened_.archive.try_read(entry::kFederation, stored))
        return nullptr;
    return readJsonEntry(opened_.archive, entry::kFederation, path_);
}

void TrainingSnapshotReader::loadNetworks(torch::nn::Module& generatorEma, torch::nn::Module& generator,
                                          torch::nn::Module& discriminator)
{
    loadModuleEntry(opened_.archive, entry::kGeneratorEma, generatorEma, path_);
    loadModuleEntry(opened_.archive, entry::kGenerator, generator, path_);
    loadModuleEntry(opened_.archive, entry::kDiscriminator, discriminator, path_);
}

TrainingRngStates TrainingSnapshotReader::loadOptimisersAndRng(torch::optim::Optimizer& optimiserG,
                                                               torch::optim::Optimizer& optimiserD)
{
    try {
        torch::serialize::InputArchive storedG, storedD;
        opened_.archive.read(entry::kOptimiserG, storedG);
        opened_.archive.read(entry::kOptimiserD, storedD);
        optimiserG.load(storedG);
        optimiserD.load(storedD);
        TrainingRngStates states;
        opened_.archive.read(entry::kTorchRng, states.torchRngState);
        c10::IValue sampler, flip;
        opened_.archive.read(entry::kSamplerRng, sampler);
        opened_.archive.read(entry::kFlipRng, flip);
        states.samplerState = sampler.toStringRef();
        states.flipState = flip.toStringRef();
        return states;
    } catch (const c10::Error& e) {
        throw InputError("snapshot " + path_.string() + " has no usable optimizer/RNG state (a generator-only export?): " +
                         e.msg().substr(0, e.msg().find('\n')));
    }
}

} // namespace dermgan
