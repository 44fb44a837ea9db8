#include "metrics/classifier_file.h"

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/tagged_archive.h"

namespace dermgan::metrics {

namespace {
constexpr const char* kClassifierFormat = "dermgan-classifier";
// Version 2: the config may ask for colour constancy. A version-1 reader would ignore that key and compute
// other features in silence, so such files are written as version 2, which it refuses ("upgrade dermgan");
// files without it stay version 1, byte for byte.
constexpr int kClassifierVersion = 2;

int fileVersion(const nets::ClassifierConfig& config) { return config.colourConstancy != "none" ? 2 : 1; }
} // namespace

void saveClassifier(nets::LesionClassifier& network, const nlohmann::json& card, const std::filesystem::path& path)
{
    torch::serialize::OutputArchive archive;
    writeFormatTag(archive, kClassifierFormat, fileVersion(network->config));
    writeJsonEntry(archive, "config", network->config);
    writeJsonEntry(archive, "card", card);
    // Always stored from CPU so that a file written on a GPU machine opens anywhere.
    nets::LesionClassifier cpu(network->config);
    {
        torch::NoGradGuard noGrad;
        auto params = network->named_parameters();
        for (auto& item : cpu->named_parameters())
            item.value().copy_(params[item.key()].to(torch::kCPU));
        auto buffers = network->named_buffers();
        for (auto& item : cpu->named_buffers())
            item.value().copy_(buffers[item.key()].to(torch::kCPU));
    }
    torch::serialize::OutputArchive weights;
    cpu->save(weights);
    archive.write("weights", weights);
    saveArchive(archive, {path});
}

ClassifierModel loadClassifier(const std::filesystem::path& path, const c10::Device& device)
{
    ClassifierModel model = readingFile(path, "a dermgan classifier (.dermnet, made by dermgan classify --save)", [&] {
        auto archive = openTaggedArchive(path, kClassifierFormat, kClassifierVersion, "dermgan classifier");
        nets::ClassifierConfig config;
        ClassifierModel loaded;
        try {
            config = readJsonEntry(archive, "config", path).get<nets::ClassifierConfig>();
            loaded.card = readJsonEntry(archive, "card", path);
        } catch (const nlohmann::json::exception& e) {
            throw InputError("classifier " + path.string() + " has an incomplete config: " + e.what());
        }
        loaded.network = nets::LesionClassifier(config);
        loadModuleEntry(archive, "weights", *loaded.network, path);
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
