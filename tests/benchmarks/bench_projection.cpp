// Projection speed at 64x64: optimisation steps per second and seconds per image (300 steps) for W and W+,
// with the default CPU generator and the derm perceptual distance (untrained networks of the shipped
// architectures: the cost does not depend on the weights). Usage: bench_projection [--steps 30]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "common/runtime.h"
#include "explain/projector.h"
#include "projection_workload.h"

using namespace dermgan;

int main(int argc, char** argv)
{
    int steps = 30;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::string(argv[i]) == "--steps")
            steps = std::atoi(argv[i + 1]);
    const int threads = configureThreads(0);
    auto w = bench::makeProjectionWorkload(std::filesystem::temp_directory_path() / "bench_projection.dermnet");
    const auto target = torch::randint(0, 256, {3, 64, 64}, torch::kUInt8);
    std::printf("projection at 64x64, default CPU generator, derm perceptual distance, %d threads\n", threads);
    for (const auto space : {explain::LatentSpace::W, explain::LatentSpace::WPlus}) {
        explain::ProjectionOptions options;
        options.space = space;
        options.steps = steps;
        options.classIndex = 4;
        options.wAvgSamples = 1000;
        explain::project(w.model, target, *w.distance, options);  // warm-up
        const auto start = std::chrono::steady_clock::now();
        explain::project(w.model, target, *w.distance, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("  %-3s  %6.1f steps/s   %5.1f s per image at 300 steps\n", space == explain::LatentSpace::W ? "W" : "W+",
                    steps / seconds, 300 * seconds / steps);
    }
    return 0;
}
