#include "io/snapshot.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"
#include "io/stylegan2_import.h"

namespace dermgan {

namespace fs = std::filesystem;

void writeSnapshotHeader(torch::serialize::OutputArchive& archive, const train::TrainingConfig& config)
{
    writeFormatTag(archive, kSnapshotFormat, kSnapshotVersion);
    writeJsonEntry(archive, "config", config);
}

torch::serialize::InputArchive openSnapshot(const fs::path& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError("snapshot " + path.string() + " does not exist: expected a .dermgan file written by dermgan train");
    return openTaggedArchive(path, kSnapshotFormat, kSnapshotVersion, "dermgan snapshot");
}

namespace {

GeneratorModel placedOn(GeneratorModel model, const c10::Device& device)
{
    model.generator->to(device);
    model.generator->fusedModconv = device.is_cuda();  // on the CPU the non-fused form is ~1.7x faster
    model.device = device;
    return model;
}

// On the CPU; placed on the device by the caller, so that a device error is not reported as a bad file.
GeneratorModel loadGeneratorModelUnchecked(const fs::path& path)
{
    if (path.extension() == ".npz")  // a StyleGAN2-ADA network converted by packaging/stylegan2_to_npz.py
        return importStyleGan2(path);
    auto archive = openSnapshot(path);
    GeneratorModel model;
    model.path = path;
    try {
        model.training = readJsonEntry(archive, "config", path).get<train::TrainingConfig>();
        model.progress = readJsonEntry(archive, "progress", path);
        if (!model.progress.is_object())  // files written before progress was always an object
            model.progress = nlohmann::json::object();
    } catch (const nlohmann::json::exception& e) {
        throw InputError("snapshot " + path.string() + " has an incomplete config: " + e.what());
    }
    model.training.network.validate();
    model.generator = nets::Generator(model.training.network);
    loadModuleEntry(archive, "G_ema", *model.generator, path);
    model.generator->eval();
    model.hash = moduleHash(*model.generator);
    return model;
}

} // namespace

GeneratorModel loadGeneratorModel(const fs::path& path, const c10::Device& device)
{
    return placedOn(readingFile(path, "a dermgan generator (.dermgan) or a StyleGAN2-ADA import (.npz)",
                                [&] { return loadGeneratorModelUnchecked(path); }),
                    device);
}

void exportGenerator(const GeneratorModel& model, const fs::path& destination)
{
    torch::serialize::OutputArchive archive;
    writeSnapshotHeader(archive, model.training);
    writeJsonEntry(archive, "progress", model.progress);
    torch::serialize::OutputArchive generator;
    nets::Generator cpu(model.training.network);
    {
        torch::NoGradGuard noGrad;
        auto source = model.generator->named_parameters();
        for (auto& item : cpu->named_parameters())
            item.value().copy_(source[item.key()].to(torch::kCPU));
        auto buffers = model.generator->named_buffers();
        for (auto& item : cpu->named_buffers())
            item.value().copy_(buffers[item.key()].to(torch::kCPU));
    }
    cpu->save(generator);
    archive.write("G_ema", generator);
    saveArchive(archive, {destination});
}

} // namespace dermgan
