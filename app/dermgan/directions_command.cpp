#include <cstdio>
#include <iostream>
#include <memory>

#include "common/runtime.h"
#include "exit_codes.h"
#include "explain/latent_directions.h"
#include "explain_commands.h"

namespace dermgan::cli {

void addDirectionsCommand(CLI::App& parent, int& exitCode)
{
    struct DirectionsArgs {
        std::string model, out, device = "auto";
        int pca = 16, samples = 10000;
        std::uint64_t seed = 0;
    };
    auto args = std::make_shared<DirectionsArgs>();
    auto* cmd = parent.add_subcommand("directions", "Compute latent directions (PCA of W, class directions) for the explorer's sliders");
    cmd->add_option("model", args->model, "Generator snapshot (.dermgan)")->required();
    cmd->add_option("--out,-o", args->out, "Direction file (.json)")->required();
    cmd->add_option("--pca", args->pca, "Principal directions to keep")->capture_default_str();
    cmd->add_option("--samples", args->samples, "Sampled w vectors")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->callback([args, &exitCode] {
        GeneratorModel model = loadGeneratorModel(args->model, selectDevice(args->device));
        explain::DirectionSet set;
        set.modelHash = model.hash;
        set.wDim = model.network().wDim;
        set.numWs = model.generator->synthesis->numWs;
        set.directions = explain::pcaDirections(model, args->pca, args->samples, args->seed);
        for (auto& d : explain::classDirections(model, args->samples, args->seed))
            set.directions.push_back(d);
        explain::saveDirections(set, args->out);
        double explained = 0;
        for (const auto& d : set.directions)
            if (d.kind == "pca")
                explained += d.explainedVariance;
        std::printf("wrote %zu directions to %s: %d principal (%.1f%% of the variance of w), %zu class directions\n",
                    set.directions.size(), args->out.c_str(), args->pca, 100 * explained,
                    set.directions.size() - static_cast<std::size_t>(args->pca));
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
