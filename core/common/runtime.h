#pragma once
// Where tensors run: CUDA when the LibTorch build and the machine have it, else CPU; and how many CPU
// threads LibTorch uses (it defaults to 1 on Debian's build, which wastes the other cores).
#include <string>

#include <c10/core/Device.h>

namespace dermgan {

// `requested`: "auto" (CUDA if available, else CPU), "cpu", "cuda" or "cuda:N".
// Throws InputError for an unknown name, or for CUDA on a machine or build without it.
c10::Device selectDevice(const std::string& requested = "auto");

// Keeps freed tensor memory in the process (glibc) instead of returning it to the kernel after each op.
void keepFreedTensorMemory();

// The process-wide thread count the user chose (the CLI's `dermgan --threads N` before the subcommand);
// 0 = not chosen. Every "0 = one per core" default below defers to it, so a subcommand's default never
// undoes the user's choice; a subcommand's own explicit --threads still wins.
void setRequestedThreads(int threads);
int requestedThreads();
// `threads` if positive, else the requested count, else one per core.
int resolveThreadCount(int threads);

// Sets LibTorch's intra-op threads to resolveThreadCount(threads) and keeps freed tensor memory (every
// program that computes calls this first). Returns the number of threads in effect.
int configureThreads(int threads = 0);

// For a job about to start on this thread: `threads` if positive, else the requested count, else one thread per
// core that other processes leave free (common/cpu_load.h; measuring takes 100 ms). Returns the count set.
// Used by projections and maps, whose small batches lose most when threads fight a busy machine.
int configureThreadsForLoad(int threads = 0);

// One line for logs and the status bar, e.g. "cpu, 2 threads, LibTorch 1.13.1".
std::string runtimeDescription(const c10::Device& device);

} // namespace dermgan
