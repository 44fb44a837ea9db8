// Training and generation speed of the default CPU configuration.
// Prints images/s and sec/kimg of a full training step (G + D + lazy R1 + EMA + ADA at p = 0.2) at 32x32
// and 64x64 with 1 and N threads, the achieved GFLOP/s beside this machine's matrix-multiply peak, and the
// generator's latency per 64x64 image. With --reference PATH (a checkout of NVlabs/stylegan2-ada-pytorch,
// run with Debian's python3-torch through reference_step.py), it also times the reference training step at
// the identical architecture and prints the ratio.
// --quick times only the 64x64 step on all cores (to compare two builds); --profile FILE does that too and
// writes where the step's time goes, per operator (see writeProfile). --threads N uses N threads instead of
// all cores (in the full run, as the second thread count). --repeat N runs each configuration N times,
// alternating with the reference, and prints the medians. Each step line also gives the time spent inside
// convolutions: with --reference, the reference step's time over ours bounds the ratio that any change
// outside the convolution kernels could reach.
// Usage: bench_training [--steps 16] [--batch 32] [--repeat 1] [--threads N] [--reference PATH] [--quick]
//                       [--profile FILE]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include <ATen/record_function.h>
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

// Wall time spent inside convolutions (forward, backward, double backward; outermost calls only), summed
// while alive: how much of a step no change outside the convolution kernels can remove.
class ConvolutionClock {
public:
    ConvolutionClock()
        : handle_(at::addGlobalCallback(at::RecordFunctionCallback(&ConvolutionClock::enter, &ConvolutionClock::leave)
                                            .scopes({at::RecordScope::FUNCTION})))
    {
        total() = 0.0;
    }
    ~ConvolutionClock() { at::removeCallback(handle_); }
    double seconds() const { return total(); }

private:
    struct Start : at::ObserverContext {
        Clock::time_point time;
    };
    static bool isConvolution(const at::RecordFunction& fn)
    {
        const std::string_view name = fn.name();
        return name == "aten::convolution" || name == "aten::_convolution" || name == "aten::convolution_backward";
    }
    static int& depth()
    {
        thread_local int value = 0;
        return value;
    }
    static double& total()
    {
        static double value = 0.0;  // the trainer runs its forward and backward passes on this one thread
        return value;
    }
    static std::unique_ptr<at::ObserverContext> enter(const at::RecordFunction& fn)
    {
        if (!isConvolution(fn) || depth()++ > 0)
            return nullptr;
        auto start = std::make_unique<Start>();
        start->time = Clock::now();
        return start;
    }
    static void leave(const at::RecordFunction& fn, at::ObserverContext* context)
    {
        if (!isConvolution(fn))
            return;
        --depth();
        if (context)
            total() += std::chrono::duration<double>(Clock::now() - static_cast<Start*>(context)->time).count();
    }
    at::CallbackHandle handle_;
};

struct StepTiming {
    double imagesPerSecond = 0.0;
    double convolutionSecondsPerStep = 0.0;
};

StepTiming benchTraining(int resolution, int threads, int steps, int batch, const std::string& profile = {})
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
    StepTiming timing;
    {
        const ConvolutionClock convolutions;  // one callback per operator: well under 1% of a step
        const auto start = Clock::now();
        for (int i = 0; i < steps; ++i)
            trainer.step();
        timing.imagesPerSecond = steps * batch / seconds(start);
        timing.convolutionSecondsPerStep = convolutions.seconds() / steps;
    }
    // G phase: G fwd+bwd (3) + D fwd + input-grad bwd (2); D phase: G fwd (1) + D fwd x2 + bwd x2 (6).
    const double flopsPerImage = 4 * forwardFlops(*trainer.generator(), resolution) +
                                 8 * forwardFlops(*trainer.discriminator(), resolution);
    const double stepSeconds = batch / timing.imagesPerSecond;
    std::printf("train %3dx%-3d threads %d batch %d: %7.1f img/s  %7.1f sec/kimg  %6.1f GFLOP/s (model estimate)  "
                "convolutions %.2f of %.2f s/step\n",
                resolution, resolution, threads, batch, timing.imagesPerSecond, 1000.0 / timing.imagesPerSecond,
                flopsPerImage * timing.imagesPerSecond / 1e9, timing.convolutionSecondsPerStep, stepSeconds);
    return timing;
}

// Runs reference_step.py beside this binary's source: its images/s (0 on failure) and convolution time.
StepTiming referenceStep(const std::string& reference, int resolution, int threads, int steps, int batch)
{
    const auto network = nets::NetworkConfig::cpuDefault(resolution);
    const std::string script = std::string(DERMGAN_SOURCE_DIR) + "/tests/benchmarks/reference_step.py";
    // Debian's interpreter has python3-torch; a python3 earlier on PATH (pyenv, venv) may not.
    const char* python = std::getenv("DERMGAN_PYTHON");
    const std::string interpreter =
        python ? python : (std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
    const std::string command = interpreter + " '" + script + "' --reference '" + reference + "' --resolution " +
                                std::to_string(resolution) + " --batch " + std::to_string(batch) + " --steps " +
                                std::to_string(steps) + " --threads " + std::to_string(threads) + " --cbase " +
                                std::to_string(network.channelBase) + " --cmax " + std::to_string(network.channelMax) +
                                " --map " + std::to_string(network.mappingLayers) + " --z-dim " +
                                std::to_string(network.zDim) + " --w-dim " + std::to_string(network.wDim) +
                                " --classes 7 --augment-p 0.2";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return {};
    char line[512];
    StepTiming timing;
    while (std::fgets(line, sizeof line, pipe)) {
        std::sscanf(line, "reference img/s: %lf", &timing.imagesPerSecond);
        std::sscanf(line, "reference convolution s/step: %lf", &timing.convolutionSecondsPerStep);
    }
    pclose(pipe);
    return timing;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// One configuration, `repeat` times, alternating with the reference when there is one (this machine's speed
// drifts by minutes): each pair's ratio, and with more than one pair their medians.
void compareWithReference(const std::string& reference, int resolution, int threads, int steps, int batch, int repeat)
{
    std::vector<double> ours, theirs, ratios;
    for (int r = 0; r < repeat; ++r) {
        const StepTiming own = benchTraining(resolution, threads, steps, batch);
        ours.push_back(own.imagesPerSecond);
        if (reference.empty())
            continue;
        const StepTiming ref = referenceStep(reference, resolution, threads, steps, batch);
        if (ref.imagesPerSecond <= 0) {
            std::printf("  reference StyleGAN2-ADA: could not run (python3-torch, scipy and the checkout needed)\n");
            continue;
        }
        const double refStep = batch / ref.imagesPerSecond;
        theirs.push_back(ref.imagesPerSecond);
        ratios.push_back(own.imagesPerSecond / ref.imagesPerSecond);
        // However fast everything else became, a step cannot take less than its convolutions.
        std::printf("  reference StyleGAN2-ADA, same architecture: %7.2f img/s  convolutions %.2f of %.2f s/step -> "
                    "dermgan is %.1fx faster; its convolutions alone allow at most %.1fx\n",
                    ref.imagesPerSecond, ref.convolutionSecondsPerStep, refStep, ratios.back(),
                    refStep / own.convolutionSecondsPerStep);
    }
    if (ours.size() > 1)
        std::printf("  median of %zu runs: dermgan %.1f img/s (%.1f-%.1f)\n", ours.size(), median(ours),
                    *std::min_element(ours.begin(), ours.end()), *std::max_element(ours.begin(), ours.end()));
    if (ratios.size() > 1)
        std::printf("  median of %zu runs: reference %.2f img/s, ratio %.1fx (%.1f-%.1fx)\n", ratios.size(),
                    median(theirs), median(ratios), *std::min_element(ratios.begin(), ratios.end()),
                    *std::max_element(ratios.begin(), ratios.end()));
}

} // namespace

int main(int argc, char** argv)
{
    int steps = 16, batch = 32, repeat = 1;
    int threadCount = 0;  // --threads; 0: all cores
    std::string reference, profile;
    bool quick = false;
    const std::map<std::string, std::function<void(const std::string&)>> valued = {
        {"--steps", [&](const std::string& v) { steps = std::atoi(v.c_str()); }},
        {"--batch", [&](const std::string& v) { batch = std::atoi(v.c_str()); }},
        {"--repeat", [&](const std::string& v) { repeat = std::atoi(v.c_str()); }},
        {"--threads", [&](const std::string& v) { threadCount = std::atoi(v.c_str()); }},
        {"--reference", [&](const std::string& v) { reference = v; }},
        {"--profile", [&](const std::string& v) { profile = v; }},
    };
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        const auto option = valued.find(flag);
        if (flag == "--quick") {
            quick = true;
        } else if (option == valued.end() || i + 1 == argc) {
            std::fprintf(stderr, "bench_training: option '%s' is unknown or lacks its value; expected --steps N, "
                                 "--batch N, --repeat N, --threads N, --reference PATH, --profile FILE, --quick\n",
                         flag.c_str());
            return 2;
        } else {
            option->second(argv[++i]);
        }
    }
    if (steps < 1 || batch < 1 || repeat < 1 || threadCount < 0) {
        std::fprintf(stderr,
                     "bench_training: --steps, --batch and --repeat must be at least 1, --threads at least 0\n");
        return 2;
    }
    const int allCores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int cores = threadCount > 0 ? threadCount : allCores;
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
        for (int threads : {1, cores})
            compareWithReference(reference, resolution, threads, steps, batch, repeat);

    configureThreads(cores);
    torch::NoGradGuard noGrad;
    nets::Generator g(nets::NetworkConfig::cpuDefault(64));
    g->eval();
    // Milliseconds per image over 7 rounds: the median (what a user sees) and the best (the machine's
    // quiet moments; this shared machine's speed drifts).
    auto perImage = [&](int batchSize, int renders) {
        const auto z = torch::randn({batchSize, g->config.zDim});
        for (int i = 0; i < 3; ++i)
            g->forward(z, {});
        std::vector<double> rounds;
        for (int round = 0; round < 7; ++round) {
            const auto start = Clock::now();
            for (int i = 0; i < renders; ++i)
                g->forward(z, {});
            rounds.push_back(1000.0 * seconds(start) / (renders * batchSize));
        }
        std::printf("generate 64x64, batch %d, %d threads: %.2f ms per image (median of 7 rounds; best %.2f)\n",
                    batchSize, cores, median(rounds), *std::min_element(rounds.begin(), rounds.end()));
    };
    perImage(1, 40);
    perImage(16, 5);
    return 0;
}
