#include <iostream>
#include <memory>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "exit_codes.h"
#include "io/image_io.h"
#include "io/snapshot.h"
#include "model_commands.h"
#include "nets/latents.h"

namespace dermgan::cli {

namespace {

// "0-7,42" -> 0 1 2 3 4 5 6 7 42
std::vector<std::uint32_t> parseSeeds(const std::string& text)
{
    std::vector<std::uint32_t> seeds;
    std::stringstream list(text);
    std::string part;
    while (std::getline(list, part, ',')) {
        try {
            const auto dash = part.find('-', 1);
            const unsigned long first = std::stoul(part.substr(0, dash));
            const unsigned long last = dash == std::string::npos ? first : std::stoul(part.substr(dash + 1));
            if (last < first || last - first > 100000 || last > 0xffffffffUL)
                throw std::out_of_range(part);
            for (unsigned long s = first; s <= last; ++s)
                seeds.push_back(static_cast<std::uint32_t>(s));
        } catch (const std::logic_error&) {
            throw InputError("seeds '" + text + "' cannot be read at '" + part + "'; expected e.g. 0-7,42");
        }
    }
    if (seeds.empty())
        throw InputError("no seeds given; expected e.g. --seeds 0-7,42");
    return seeds;
}

std::vector<int64_t> parseClasses(const std::string& text, const nets::NetworkConfig& network)
{
    if (network.classCount == 0) {
        if (!text.empty())
            throw InputError("the model is unconditional (no classes) but --class " + text + " was given");
        return {-1};
    }
    if (text.empty())
        throw InputError("the model is conditional: give --class (0-" + std::to_string(network.classCount - 1) +
                         ", a class name, or all)");
    if (text == "all") {
        std::vector<int64_t> all;
        for (int c = 0; c < network.classCount; ++c)
            all.push_back(c);
        return all;
    }
    for (std::size_t c = 0; c < network.classNames.size(); ++c)
        if (network.classNames[c] == text)
            return {static_cast<int64_t>(c)};
    try {
        std::size_t used = 0;
        const int value = std::stoi(text, &used);
        if (used == text.size() && value >= 0 && value < network.classCount)
            return {value};
    } catch (const std::logic_error&) {
    }
    std::string names;
    for (const auto& name : network.classNames)
        names += (names.empty() ? "" : ", ") + name;
    throw InputError("class '" + text + "' is not one of the model's " + std::to_string(network.classCount) +
                     " classes (0-" + std::to_string(network.classCount - 1) + (names.empty() ? "" : ": " + names) + ")");
}

nets::NoiseMode parseNoise(const std::string& text)
{
    if (text == "const") return nets::NoiseMode::Const;
    if (text == "random") return nets::NoiseMode::Random;
    if (text == "none") return nets::NoiseMode::None;
    throw InputError("noise mode '" + text + "'; expected const, random or none");
}

} // namespace

void addGenerateCommand(CLI::App& parent, int& exitCode)
{
    struct GenerateArgs {
        std::string model, seeds = "0-7", classes, noise = "const", out = "generated", device = "auto";
        double psi = 1.0;
        int grid = 0;
        int count = 0;
        bool json = false;
    };
    auto args = std::make_shared<GenerateArgs>();
    auto* cmd = parent.add_subcommand("generate", "Write synthetic images from a generator snapshot (PNG, marked synthetic)");
    cmd->add_option("model", args->model, "Snapshot (.dermgan) of dermgan train")->required();
    cmd->add_option("--seeds", args->seeds, "Seeds, e.g. 0-7,42 (z = numpy RandomState(seed).randn, as the reference)")
        ->capture_default_str();
    cmd->add_option("--count", args->count, "Generate seeds 0 to N-1 (instead of --seeds)");
    cmd->add_option("--class", args->classes, "Class index, name, or 'all' (conditional models)");
    cmd->add_option("--psi", args->psi, "Truncation psi (1 = none, 0 = the average image)")->capture_default_str();
    cmd->add_option("--noise", args->noise, "Noise mode: const, random or none")->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Output folder")->capture_default_str();
    cmd->add_option("--grid", args->grid, "Also write grid.png with this many columns (0 = no grid)");
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the written files as JSON");
    cmd->callback([args, &exitCode] {
        const auto noise = parseNoise(args->noise);
        if (!(args->psi >= -2.0 && args->psi <= 2.0))
            throw InputError("--psi " + std::to_string(args->psi) + " is out of range; expected -2 to 2 (usually 0.5-1)");
        if (args->count < 0 || args->count > 100000)
            throw InputError("--count " + std::to_string(args->count) + " is out of range; expected 1 to 100000");
        const auto seeds = parseSeeds(args->count > 0 ? "0-" + std::to_string(args->count - 1) : args->seeds);
        GeneratorModel model = loadGeneratorModel(args->model, selectDevice(args->device));
        const auto& network = model.network();
        const auto classes = parseClasses(args->classes, network);
        torch::NoGradGuard noGrad;
        std::filesystem::create_directories(args->out);
        nlohmann::json written = nlohmann::json::array();
        std::vector<torch::Tensor> all;
        for (auto label : classes)
            for (auto seed : seeds) {
                const auto z = nets::latentsFromSeeds({seed}, network.zDim).to(model.device);
                const auto c = nets::oneHot({label < 0 ? 0 : label}, network.classCount, z.options());
                const auto image = model.generator->forward(z, c, args->psi, noise);
                all.push_back(image);
                char name[64];
                if (label >= 0)
                    std::snprintf(name, sizeof name, "seed%04u-class%lld.png", seed, static_cast<long long>(label));
                else
                    std::snprintf(name, sizeof name, "seed%04u.png", seed);
                const auto path = std::filesystem::path(args->out) / name;
                std::map<std::string, std::string> text{
                    {"Software", "dermgan"},
                    {"dermgan:synthetic", "true"},
                    {"Description", "SYNTHETIC image generated by a GAN; not a real patient image"},
                    {"dermgan:seed", std::to_string(seed)},
                    {"dermgan:psi", std::to_string(args->psi)},
                    {"dermgan:noise", args->noise},
                    {"dermgan:model", model.path.filename().string()},
                    {"dermgan:model_hash", model.hash}};
                if (label >= 0) {
                    text["dermgan:class"] = std::to_string(label);
                    if (!network.classNames.empty())
                        text["dermgan:class_name"] = network.classNames[static_cast<std::size_t>(label)];
                }
                writePng(path, tensorToRgbImage(image[0]), text);
                written.push_back({{"file", path.string()}, {"seed", seed}, {"class", label}});
            }
        if (args->grid > 0) {
            const auto path = std::filesystem::path(args->out) / "grid.png";
            writePng(path, tensorGrid(torch::cat(all), args->grid),
                     {{"Software", "dermgan"}, {"dermgan:synthetic", "true"}, {"dermgan:model_hash", model.hash},
                      {"dermgan:seeds", args->seeds}, {"dermgan:psi", std::to_string(args->psi)}});
        }
        if (args->json)
            std::cout << nlohmann::json{{"model", model.path.string()}, {"model_hash", model.hash}, {"images", written}}.dump(2)
                      << "\n";
        else
            std::cout << "wrote " << written.size() << " synthetic images to " << args->out << " (model " << model.hash << ")\n";
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
