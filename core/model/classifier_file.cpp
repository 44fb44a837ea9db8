#include "model/classifier_file.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/tagged_archive.h"
#include "nets/module_copy.h"

namespace dermgan::metrics {

namespace {
constexpr const char* kClassifierFormat = "dermgan-classifier";
// Version 2: the config may ask for colour constancy. A version-1 reader would ignore that key and compute
// other features in silence, so such files are written as version 2, which it refuses ("upgrade dermgan");
// files without it stay version 1, byte for byte.
constexpr int kClassifierVersion = 2;

int fileVersion(const nets::ClassifierConfig& config) { return config.colourConstancy != "none" ? 2 : 1; }

namespace entry {
constexpr const char* kConfig = "config";  // nets::ClassifierConfig as JSON
constexpr const char* kCard = "card";      // JSON: what it was trained on and how well it does
constexpr const char* kWeights = "weights";
} // namespace entry

// The config as the file's version defines it. Version 1 has no colour constancy: its readers ignored the
// key, so a version-1 file that names one was not written by dermgan and would give other features.
nets::ClassifierConfig readConfig(TaggedArchive& opened, const std::filesystem::path& path)
{
    auto config = readJsonEntry(opened.archive, entry::kConfig, path).get<nets::ClassifierConfig>();
    if (opened.version == 1 && config.colourConstancy != "none")
        throw InputError("classifier " + path.string() + " is format version 1 but its config asks for colour constancy "
                         "(a version-2 setting): damaged or edited file");
    return config;
}
} // namespace

void saveClassifier(nets::LesionClassifier& network, const nlohmann::json& card, const std::filesystem::path& path)
{
    torch::serialize::OutputArchive archive;
    writeFormatTag(archive, kClassifierFormat, fileVersion(network->config));
    writeJsonEntry(archive, entry::kConfig, network->config);
    writeJsonEntry(archive, entry::kCard, card);
    // Always stored from CPU so that a file written on a GPU machine opens anywhere.
    nets::LesionClassifier cpu(network->config);
    nets::copyModuleState(*network, *cpu);
    torch::serialize::OutputArchive weights;
    cpu->save(weights);
    archive.write(entry::kWeights, weights);
    saveArchive(archive, {path});
}

ClassifierModel loadClassifier(const std::filesystem::path& path, const c10::Device& device)
{
    ClassifierModel model = readingFile(path, "a dermgan classifier (.dermnet, made by dermgan classify --save)", [&] {
        auto opened = openTaggedArchive(path, kClassifierFormat, kClassifierVersion, "dermgan classifier");
        nets::ClassifierConfig config;
        ClassifierModel loaded;
        try {
            config = readConfig(opened, path);
            loaded.card = readJsonEntry(opened.archive, entry::kCard, path);
        } catch (const nlohmann::json::exception& e) {
            throw InputError("classifier " + path.string() + " has an incomplete config: " + e.what());
        }
        loaded.network = nets::LesionClassifier(config);
        loadModuleEntry(opened.archive, entry::kWeights, *loaded.network, path);
        loaded.network->eval();
        loaded.hash = moduleHash(*loaded.network);
        loaded.path = path;
        return loaded;
    });
    model.network->to(device);  // outside: a device error is not a bad file
    model.device = device;
    return model;
}

} // namespace dermgan::metrics
