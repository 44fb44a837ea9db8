#include "model/snapshot.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/tagged_archive.h"
#include "model/snapshot_layout.h"
#include "model/stylegan2_import.h"
#include "nets/module_copy.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace snapshot_layout {

void writeHeader(torch::serialize::OutputArchive& archive, const train::TrainingConfig& config)
{
    writeFormatTag(archive, kFormat, kVersion);
    writeJsonEntry(archive, entry::kConfig, config);
}

TaggedArchive openSnapshot(const fs::path& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError("snapshot " + path.string() + " does not exist: expected a .dermgan file written by dermgan train");
    return openTaggedArchive(path, kFormat, kVersion, "dermgan snapshot");
}

} // namespace snapshot_layout

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
    namespace layout = snapshot_layout;
    auto opened = layout::openSnapshot(path);  // version 1 is the only layout so far: a new one branches here
    auto& archive = opened.archive;
    GeneratorModel model;
    model.path = path;
    try {
        model.training = readJsonEntry(archive, layout::entry::kConfig, path).get<train::TrainingConfig>();
        model.progress = readJsonEntry(archive, layout::entry::kProgress, path);
        if (!model.progress.is_object())  // files written before progress was always an object
            model.progress = nlohmann::json::object();
    } catch (const nlohmann::json::exception& e) {
        throw InputError("snapshot " + path.string() + " has an incomplete config: " + e.what());
    }
    model.training.network.validate();
    model.generator = nets::Generator(model.training.network);
    loadModuleEntry(archive, layout::entry::kGeneratorEma, *model.generator, path);
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
    namespace layout = snapshot_layout;
    torch::serialize::OutputArchive archive;
    layout::writeHeader(archive, model.training);
    writeJsonEntry(archive, layout::entry::kProgress, model.progress);
    torch::serialize::OutputArchive generator;
    nets::Generator cpu(model.training.network);
    nets::copyModuleState(*model.generator, *cpu);
    cpu->save(generator);
    archive.write(layout::entry::kGeneratorEma, generator);
    saveArchive(archive, {destination});
}

} // namespace dermgan
