#include "common/runtime.h"

#include <atomic>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <torch/torch.h>
#include <torch/version.h>

#include "common/cpu_load.h"
#include "common/errors.h"

namespace dermgan {

c10::Device selectDevice(const std::string& requested)
{
    if (requested == "auto")
        return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (requested == "cpu")
        return c10::Device(c10::kCPU);
    if (requested.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw InputError("device '" + requested + "' requested but CUDA is not available (this LibTorch build or "
                             "machine has no GPU); use --device cpu or auto");
        try {
            c10::Device device(requested);
            if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
                throw InputError("device '" + requested + "' does not exist: " +
                                 std::to_string(torch::cuda::device_count()) + " CUDA device(s) present");
            return device;
        } catch (const c10::Error&) {
        }
    }
    throw InputError("unknown device '" + requested + "'; expected auto, cpu, cuda or cuda:N");
}

void keepFreedTensorMemory()
{
#ifdef __GLIBC__
    // glibc serves blocks above 128 KB with mmap and returns them on free, so every new activation tensor
    // page-faults its memory in again. Measured here: a FIR pass over a 16 MB tensor 45 -> 16 ms, kernel
    // time of the training benchmark 9.6 -> 1.6 s, a 64x64 training step about 10% faster. Keep blocks up
    // to glibc's 32 MB limit in the heap and never trim it: the working set of a step is reused by the next.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

namespace {
std::atomic<int> requestedThreadCount{0};
} // namespace

void setRequestedThreads(int threads)
{
    requestedThreadCount = std::max(0, threads);
}

int requestedThreads()
{
    return requestedThreadCount;
}

int resolveThreadCount(int threads)
{
    if (threads > 0)
        return threads;
    if (requestedThreads() > 0)
        return requestedThreads();
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int configureThreads(int threads)
{
    keepFreedTensorMemory();
    at::set_num_threads(resolveThreadCount(threads));
    return at::get_num_threads();
}

int configureThreadsForLoad(int threads)
{
    if (threads > 0 || requestedThreads() > 0)
        return configureThreads(threads);
    const int cores = resolveThreadCount(0);
    const auto busy = busyCoresOfOthers();
    at::set_num_threads(busy ? threadsForLoad(cores, *busy) : cores);
    return at::get_num_threads();
}

std::string runtimeDescription(const c10::Device& device)
{
    std::string text = device.str() + ", " + std::to_string(at::get_num_threads()) + " threads, LibTorch " + TORCH_VERSION;
    return text;
}

} // namespace dermgan
