#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/dataset.h"
#include "io/npy.h"
#include "common/exit_codes.h"
#include "explain/latent_directions.h"
#include "explain/projector.h"
#include "explain_commands.h"

namespace dermgan::cli {

namespace {

// Boundaries from a `dermgan project` folder: the w of each projected dataset image, labelled by the
// dataset's metadata (the class name for "dx").
std::vector<explain::LatentDirection> boundariesFromProjections(const std::string& folder, const std::string& data,
                                                                const std::string& attributes, int minCount,
                                                                const GeneratorModel& model)
{
    const std::string& modelHash = model.hash;
    std::ifstream in(std::filesystem::path(folder) / "project.json");
    const auto report = nlohmann::json::parse(in, nullptr, false);
    if (report.is_discarded() || !report.contains("images"))
        throw InputError("folder " + folder + " holds no project.json; run dermgan project --data ... --out " + folder + " first");
    if (report.value("model_hash", "") != modelHash)
        throw InputError("the projections in " + folder + " were made with model " + report.value("model_hash", "?") +
                         ", not with this model (" + modelHash + ")");
    const DatasetIndex index = openDataset(data);
    std::map<std::string, const ImageRecord*> byId;
    for (const auto& record : index.records)
        byId[record.imageId] = &record;
    std::vector<torch::Tensor> ws;
    std::vector<const ImageRecord*> records;
    for (const auto& item : report["images"]) {
        const auto it = byId.find(item.value("id", ""));
        if (it == byId.end())
            continue;  // a projected file, not a dataset image
        // One w per image: the mean over layers (all rows are equal for W projections).
        ws.push_back(explain::readProjectionWs(std::filesystem::path(folder) / item.value("ws_file", ""), model.network()).mean(0));
        records.push_back(it->second);
    }
    if (ws.size() < 4)
        throw InputError("only " + std::to_string(ws.size()) + " projected images of " + data + " in " + folder +
                         "; boundaries need many (e.g. dermgan project --data ... --count 200)");
    const auto w = torch::stack(ws);
    std::vector<explain::LatentDirection> directions;
    std::stringstream list(attributes);
    std::string attribute;
    while (std::getline(list, attribute, ',')) {
        std::vector<std::string> values;
        for (const auto* record : records) {
            if (attribute == "dx" && record->label >= 0)
                values.push_back(index.classNames[static_cast<std::size_t>(record->label)]);
            else {
                const auto found = record->metadata.find(attribute);
                values.push_back(found == record->metadata.end() ? "" : found->second);
            }
        }
        for (auto& d : explain::attributeBoundaries(w, values, attribute, minCount))
            directions.push_back(d);
    }
    return directions;
}

} // namespace

void addDirectionsCommand(CLI::App& parent, int& exitCode)
{
    struct DirectionsArgs {
        std::string model, out, device = "auto", boundaries, data, attributes = "dx,sex,age,localization", npz;
        int pca = 16, samples = 10000, minCount = 10;
        std::uint64_t seed = 0;
    };
    auto args = std::make_shared<DirectionsArgs>();
    auto* cmd = parent.add_subcommand("directions", "Compute latent directions (PCA of W, class directions) for the explorer's sliders");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("--out,-o", args->out, "Direction file (.json)")->required();
    cmd->add_option("--pca", args->pca, "Principal directions to keep")->capture_default_str();
    cmd->add_option("--samples", args->samples, "Sampled w vectors")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
    cmd->add_option("--boundaries", args->boundaries, "Also attribute boundaries from this `dermgan project --data` folder");
    cmd->add_option("--data", args->data, "The dataset those projections came from (for its metadata)");
    cmd->add_option("--attributes", args->attributes, "Metadata columns for boundaries (dx = diagnosis)")->capture_default_str();
    cmd->add_option("--min-count", args->minCount, "Images a boundary needs on each side")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--npz", args->npz, "Also write the unit vectors to this .npz, one [w_dim] array per direction name (NumPy)");
    cmd->callback([args, &exitCode] {
        GeneratorModel model = loadGeneratorModel(args->model, selectDevice(args->device));
        explain::DirectionSet set;
        set.modelHash = model.hash;
        set.wDim = model.network().wDim;
        set.numWs = model.generator->synthesis->numWs;
        set.directions = explain::pcaDirections(model, args->pca, args->samples, args->seed);
        for (auto& d : explain::classDirections(model, args->samples, args->seed))
            set.directions.push_back(d);
        std::size_t boundaries = 0;
        if (!args->boundaries.empty()) {
            if (args->data.empty())
                throw InputError("--boundaries needs --data (the dataset whose images were projected)");
            for (auto& d : boundariesFromProjections(args->boundaries, args->data, args->attributes, args->minCount, model)) {
                set.directions.push_back(d);
                ++boundaries;
            }
        }
        explain::saveDirections(set, args->out);
        if (!args->npz.empty()) {
            std::vector<std::pair<std::string, torch::Tensor>> arrays;
            for (const auto& d : set.directions)
                arrays.emplace_back(d.name, d.vector.to(torch::kFloat32));
            writeNpz(args->npz, arrays);
        }
        double explained = 0;
        for (const auto& d : set.directions)
            if (d.kind == "pca")
                explained += d.explainedVariance;
        std::printf("wrote %zu directions to %s: %d principal (%.1f%% of the variance of w), %zu class directions, "
                    "%zu attribute boundaries\n",
                    set.directions.size(), args->out.c_str(), args->pca, 100 * explained,
                    set.directions.size() - static_cast<std::size_t>(args->pca) - boundaries, boundaries);
        for (const auto& d : set.directions)
            if (d.kind == "boundary")
                std::printf("  %-28s training accuracy %.2f\n", d.name.c_str(), d.explainedVariance);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
