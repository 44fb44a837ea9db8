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

// Versions 1 and 2 share one layout and are read alike: version 2 only marks files whose config asks for
// colour constancy, so that older readers refuse them. (Two development builds wrote such configs as
// version 1; they are read with their colour constancy, as those builds did.) A new layout branches here
// on `opened.version`.
nets::ClassifierConfig readConfig(TaggedArchive& opened, const std::filesystem::path& path)
{
    return readJsonEntry(opened.archive, entry::kConfig, path).get<nets::ClassifierConfig>();
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
