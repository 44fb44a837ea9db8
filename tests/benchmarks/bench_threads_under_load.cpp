// CPU work on a busy machine: a 64x64 projection (the default CPU generator in W, derm perceptual distance,
// untrained networks of the shipped architectures) timed with 1 thread, with one thread per core and with
// the count configureThreadsForLoad chooses (the free cores), while 0 to `cores` other processes keep cores
// busy, under libgomp's default wait policy (threads spin at every barrier before sleeping) and under
// OMP_WAIT_POLICY=PASSIVE (they sleep at once). The wait policy is read when libgomp loads, so each
// measurement is a child process of this program with its own environment.
// Usage: bench_threads_under_load [--steps 20]. Linux only (fork, /proc).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include "common/runtime.h"
#include "explain/projector.h"
#include "projection_workload.h"

using namespace dermgan;

namespace {

// The measured job, in a child: prints the seconds of `steps` projection steps after a warm-up and the
// threads used (threads = 0: chosen from the load, as the projector's callers do).
int runProjection(int steps, int threads)
{
    const int used = threads > 0 ? configureThreads(threads) : configureThreadsForLoad();
    auto w = bench::makeProjectionWorkload(std::filesystem::temp_directory_path() /
                                           ("bench_threads_" + std::to_string(getpid()) + ".dermnet"));
    const auto target = torch::randint(0, 256, {3, 64, 64}, torch::kUInt8);
    explain::ProjectionOptions options;
    options.steps = 3;
    options.classIndex = 4;
    options.wAvgSamples = 1000;
    explain::project(w.model, target, *w.distance, options);  // warm-up
    options.steps = steps;
    const auto start = std::chrono::steady_clock::now();
    explain::project(w.model, target, *w.distance, options);
    std::printf("%.4f %d\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), used);
    return 0;
}

// A process that keeps one core busy until it is killed.
pid_t startBusyProcess()
{
    const pid_t pid = fork();
    if (pid == 0) {
        volatile unsigned long spin = 0;
        for (;;)
            spin = spin + 1;
    }
    return pid;
}

struct Measurement {
    double seconds = -1;
    int threads = 0;
};

// Runs this program as a child measuring one configuration (seconds negative on failure).
Measurement measure(const std::string& self, int steps, int threads, bool passive)
{
    const std::string command = std::string(passive ? "OMP_WAIT_POLICY=PASSIVE " : "env -u OMP_WAIT_POLICY ") + "'" + self +
                                "' --child --steps " + std::to_string(steps) + " --threads " + std::to_string(threads);
    Measurement m;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return m;
    if (std::fscanf(pipe, "%lf %d", &m.seconds, &m.threads) != 2)
        m.seconds = -1;
    pclose(pipe);
    return m;
}

} // namespace

int main(int argc, char** argv)
{
    int steps = 20, threads = 0;
    bool child = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--child")
            child = true;
        else if (arg == "--steps" && i + 1 < argc)
            steps = std::atoi(argv[++i]);
        else if (arg == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
    }
    if (child)
        return runProjection(steps, threads);

    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::string self = std::filesystem::canonical("/proc/self/exe").string();
    std::printf("projection, %d steps in W at 64x64, on %d cores; seconds (ratio to 1 thread at the same load and policy)\n",
                steps, cores);
    std::printf("%-12s %-8s %9s %20s %28s\n", "busy others", "policy", "1 thread", "1 per core", "chosen from the load");
    for (int busy = 0; busy <= cores; ++busy) {
        std::vector<pid_t> load;
        for (int i = 0; i < busy; ++i)
            load.push_back(startBusyProcess());
        for (const bool passive : {false, true}) {
            const double one = measure(self, steps, 1, passive).seconds;
            const double all = measure(self, steps, cores, passive).seconds;
            const auto chosen = measure(self, steps, 0, passive);
            std::printf("%-12d %-8s %9.2f %12.2f (%5.2fx) %12.2f (%5.2fx, %d threads)\n", busy, passive ? "passive" : "default",
                        one, all, all / one, chosen.seconds, chosen.seconds / one, chosen.threads);
        }
        for (const pid_t pid : load) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    return 0;
}
