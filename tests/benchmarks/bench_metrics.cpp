// Time of the distribution metrics on 10,000 vs 10,000 feature vectors of 512 dimensions (the size of a
// full HAM10000 evaluation with a 512-d embedding): FID, KID (100 subsets of 1000, the reference default),
// precision/recall (k = 3) and density/coverage (k = 5). Usage: bench_metrics [--n 10000] [--dim 512]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "common/runtime.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/manifold_metrics.h"

using namespace dermgan;
using namespace dermgan::metrics;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
} // namespace

int main(int argc, char** argv)
{
    int64_t n = 10000, dim = 512;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--n")
            n = std::atoll(argv[i + 1]);
        else if (flag == "--dim")
            dim = std::atoll(argv[i + 1]);
    }
    const int threads = configureThreads(0);
    torch::manual_seed(0);
    const auto real = torch::randn({n, dim}), generated = torch::randn({n, dim}) * 1.1 + 0.05;
    std::printf("%lld vs %lld features of %lld dimensions, %d threads\n", static_cast<long long>(n),
                static_cast<long long>(n), static_cast<long long>(dim), threads);

    auto start = Clock::now();
    const double fid = frechetDistance(gaussianStats(real), gaussianStats(generated));
    const double fidSeconds = since(start);
    start = Clock::now();
    const auto kid = kernelDistance(real, generated);
    const double kidSeconds = since(start);
    start = Clock::now();
    const auto pr = precisionRecall(real, generated, 3);
    const double prSeconds = since(start);
    start = Clock::now();
    const auto dc = densityCoverage(real, generated, 5);
    const double dcSeconds = since(start);
    std::printf("FID                 %8.3f   %6.2f s\n", fid, fidSeconds);
    std::printf("KID (100 x 1000)    %8.5f   %6.2f s\n", kid.mean, kidSeconds);
    std::printf("precision / recall  %.3f / %.3f   %6.2f s\n", pr.precision, pr.recall, prSeconds);
    std::printf("density / coverage  %.3f / %.3f   %6.2f s\n", dc.density, dc.coverage, dcSeconds);
    std::printf("FID + KID + PR      %6.2f s (+ DC %.2f s)\n", fidSeconds + kidSeconds + prSeconds, dcSeconds);
    return 0;
}
