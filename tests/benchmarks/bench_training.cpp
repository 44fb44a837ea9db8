// Training and generation speed of the default CPU configuration.
// Prints images/s and sec/kimg of a full training step (G + D + lazy R1 + EMA + ADA at p = 0.2) at 32x32
// and 64x64 with 1 and N threads, the achieved GFLOP/s beside this machine's matrix-multiply peak, and the
// generator's latency per 64x64 image. With --reference PATH (a checkout of NVlabs/stylegan2-ada-pytorch,
// run with Debian's python3-torch through reference_step.py), it also times the reference training step at
// the identical architecture and prints the ratio.
// --quick times only the 64x64 step on all cores (to compare two builds); --profile FILE does that too and
// writes where the step's time goes, per operator (see writeProfile).
// Usage: bench_training [--steps 16] [--batch 32] [--reference PATH] [--quick] [--profile FILE]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <torch/torch.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include "common/runtime.h"
#include "nets/generator.h"
#include "train/trainer.h"

using namespace dermgan;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// FLOPs (2 per multiply-accumulate) of one forward pass per image, from the convolution and linear layers
// (FIR filtering and element-wise work not counted).
double forwardFlops(torch::nn::Module& module, int resolution)
{
    double flops = 0;
    for (const auto& item : module.named_parameters()) {
        const auto& name = item.key();
        const auto& w = item.value();
        if (name.size() < 7 || name.compare(name.size() - 7, 7, ".weight") != 0)
            continue;
        if (w.dim() == 2) {
            flops += 2.0 * w.size(0) * w.size(1);
            continue;
        }
        // Conv weights: the layer's resolution is in its block name (b64, b32, ...).
        const auto b = name.find('b');
        const int res = std::atoi(name.c_str() + b + 1);
        const bool down = name.find("conv1") != std::string::npos || name.find("skip") != std::string::npos;
        const bool discriminator = name.rfind("synthesis", 0) != 0;
        // D's conv1/skip write half resolution; G's conv0 is a transposed convolution computed per input pixel.
        const bool upsampling = !discriminator && name.find("conv0") != std::string::npos;
        const int outRes = (discriminator && down) || upsampling ? res / 2 : (res > 0 ? res : resolution);
        flops += 2.0 * w.size(0) * w.size(1) * w.size(2) * w.size(3) * outRes * outRes;
    }
    return flops;
}

double matmulPeak()
{
    const auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
    torch::mm(a, b);
    const auto start = Clock::now();
    int reps = 0;
    while (seconds(start) < 1.0) {
        torch::mm(a, b);
        ++reps;
    }
    return 2.0 * 1024 * 1024 * 1024 * reps / seconds(start) / 1e9;
}

// Runs `steps` training steps under LibTorch's profiler and writes, per operator and the operator (or
// dermgan:: phase) that called it: milliseconds and calls per step, largest first, with input shapes.
void writeProfile(train::Trainer& trainer, int steps, const std::string& path)
{
    namespace prof = torch::autograd::profiler;
    prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, true));
    for (int i = 0; i < steps; ++i)
        trainer.step();
    const auto lists = prof::disableProfilerLegacy();
    std::map<std::string, std::pair<double, int>> totals;  // "caller > op [shapes]" -> ms, calls
    for (const auto& list : lists) {
        std::vector<const prof::LegacyEvent*> open;
        for (const auto& event : list) {
            if (event.kindStr() == "push") {
                open.push_back(&event);
                continue;
            }
            if (event.kindStr() != "pop" || open.empty())
                continue;
            const auto* begin = open.back();
            open.pop_back();
            std::string key = std::string(open.empty() ? "-" : open.back()->name()) + " > " + begin->name();
            for (const auto& shape : begin->shapes()) {
                key += " [";
                for (auto d : shape)
                    key += std::to_string(d) + ",";
                key += "]";
            }
            totals[key].first += begin->cpuElapsedUs(event) / 1000.0;
            totals[key].second += 1;
        }
    }
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [key, total] : totals) {
        // Per step as a fraction: lazy R1 runs once in 16 steps.
        char calls[32];
        std::snprintf(calls, sizeof calls, "%.3g", static_cast<double>(total.second) / steps);
        rows.emplace_back(total.first / steps, std::string(calls) + "\t" + key);
    }
    std::sort(rows.rbegin(), rows.rend());
    std::ofstream out(path);
    if (!out) {
        std::fprintf(stderr, "bench_training: cannot write the profile to '%s'\n", path.c_str());
        return;
    }
    out << "ms/step\tcalls/step\tcaller > operator [input shapes]\n";
    for (const auto& [ms, rest] : rows)
        out << ms << "\t" << rest << "\n";
    std::printf("profile of %d steps written to %s\n", steps, path.c_str());
}

double benchTraining(int resolution, int threads, int steps, int batch, const std::string& profile = {})
{
    configureThreads(threads);
    train::TrainingConfig config;
    config.network = nets::NetworkConfig::cpuDefault(resolution);
    config.network.classCount = 7;
    config.batch = batch;
    config.augmentP = 0.2;
    config.device = "cpu";
    train::TrainingData data;
    data.pixels = torch::randint(0, 256, {256, 3, resolution, resolution}, torch::kUInt8);
    for (int i = 0; i < 256; ++i)
        data.labels.push_back(i % 7);
    train::Trainer trainer(config, data);
    for (int i = 0; i < 2; ++i)
        trainer.step();
    if (!profile.empty())
        writeProfile(trainer, steps, profile);
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i)
        trainer.step();
    const double s = seconds(start);
    const double imagesPerSecond = steps * batch / s;
    // G phase: G fwd+bwd (3) + D fwd + input-grad bwd (2); D phase: G fwd (1) + D fwd x2 + bwd x2 (6).
    const double flopsPerImage = 4 * forwardFlops(*trainer.generator(), resolution) +
                                 8 * forwardFlops(*trainer.discriminator(), resolution);
    std::printf("train %3dx%-3d threads %d batch %d: %7.1f img/s  %7.1f sec/kimg  %6.1f GFLOP/s (model estimate)\n",
                resolution, resolution, threads, batch, imagesPerSecond, 1000.0 / imagesPerSecond,
                flopsPerImage * imagesPerSecond / 1e9);
    return imagesPerSecond;
}

// Runs reference_step.py beside this binary's source and returns its images/s (0 on failure).
double referenceImagesPerSecond(const std::string& reference, int resolution, int threads, int steps, int batch)
{
    const auto network = nets::NetworkConfig::cpuDefault(resolution);
    const std::string script = std::string(DERMGAN_SOURCE_DIR) + "/tests/benchmarks/reference_step.py";
    // Debian's interpreter has python3-torch; a python3 earlier on PATH (pyenv, venv) may not.
    const char* python = std::getenv("DERMGAN_PYTHON");
    const std::string interpreter = python ? python : (std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
    const std::string command = interpreter + " '" + script + "' --reference '" + reference + "' --resolution " +
                                std::to_string(resolution) + " --batch " + std::to_string(batch) + " --steps " +
                                std::to_string(steps) + " --threads " + std::to_string(threads) + " --cbase " +
                                std::to_string(network.channelBase) + " --cmax " + std::to_string(network.channelMax) +
                                " --map " + std::to_string(network.mappingLayers) + " --z-dim " +
                                std::to_string(network.zDim) + " --w-dim " + std::to_string(network.wDim) +
                                " --classes 7 --augment-p 0.2";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return 0.0;
    char line[512];
    double value = 0.0;
    while (std::fgets(line, sizeof line, pipe))
        std::sscanf(line, "reference img/s: %lf", &value);
    pclose(pipe);
    return value;
}

} // namespace

int main(int argc, char** argv)
{
    int steps = 16, batch = 32;
    std::string reference, profile;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        const bool takesValue = flag == "--steps" || flag == "--batch" || flag == "--reference" || flag == "--profile";
        if (flag == "--quick") {
            quick = true;
        } else if (!takesValue || i + 1 == argc) {
            std::fprintf(stderr, "bench_training: option '%s' is unknown or lacks its value; expected --steps N, "
                                 "--batch N, --reference PATH, --quick, --profile FILE\n", flag.c_str());
            return 2;
        } else {
            const std::string value = argv[++i];
            if (flag == "--steps")
                steps = std::atoi(value.c_str());
            else if (flag == "--batch")
                batch = std::atoi(value.c_str());
            else if (flag == "--reference")
                reference = value;
            else
                profile = value;
        }
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (quick || !profile.empty()) {  // just the 64x64 step on all cores (comparing builds, profiling)
        benchTraining(64, cores, steps, batch, profile);
        return 0;
    }
    torch::manual_seed(0);
    {
        nets::Generator g(nets::NetworkConfig::cpuDefault(64));
        int64_t params = 0;
        for (const auto& p : g->parameters())
            params += p.numel();
        std::printf("default CPU config at 64x64: %.2fM generator parameters\n", params / 1e6);
    }
    for (int threads : {1, cores}) {
        configureThreads(threads);
        std::printf("matmul peak, %d thread(s): %.1f GFLOP/s\n", threads, matmulPeak());
    }
    for (int resolution : {32, 64})
        for (int threads : {1, cores}) {
            const double ours = benchTraining(resolution, threads, steps, batch);
            if (reference.empty())
                continue;
            const double theirs = referenceImagesPerSecond(reference, resolution, threads, steps, batch);
            if (theirs > 0)
                std::printf("  reference StyleGAN2-ADA, same architecture: %7.2f img/s -> dermgan is %.1fx faster\n",
                            theirs, ours / theirs);
            else
                std::printf("  reference StyleGAN2-ADA: could not run (python3-torch, scipy and the checkout needed)\n");
        }

    configureThreads(cores);
    torch::NoGradGuard noGrad;
    nets::Generator g(nets::NetworkConfig::cpuDefault(64));
    g->eval();
    const auto z = torch::randn({1, g->config.zDim});
    for (int i = 0; i < 5; ++i)
        g->forward(z, {});
    const auto start = Clock::now();
    int frames = 0;
    while (seconds(start) < 2.0) {
        g->forward(z, {});
        ++frames;
    }
    std::printf("generate 64x64, batch 1, %d threads: %.2f ms per image\n", cores, 1000.0 * seconds(start) / frames);
    const auto z16 = torch::randn({16, g->config.zDim});
    const auto start16 = Clock::now();
    for (int i = 0; i < 5; ++i)
        g->forward(z16, {});
    std::printf("generate 64x64, batch 16, %d threads: %.2f ms per image\n", cores, 1000.0 * seconds(start16) / 80);
    return 0;
}
