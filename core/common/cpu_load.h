#pragma once
// How many cores other processes keep busy right now, to choose a thread count that does not fight them.
// Measured on 2 cores (tests/benchmarks/bench_threads_under_load): a 64x64 projection with 2 LibTorch
// threads took 3.6x as long as with 1 while one other process was busy, and 11-14x while two were; libgomp's
// threads spin at each barrier and lose their time slices to the other processes. Linux only (/proc); on
// other systems the load is unknown and every core is used.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace dermgan {

struct CpuTicks {
    std::uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
    std::uint64_t total = 0;  // busy + idle + iowait
};

// The machine-wide "cpu" line of /proc/stat's text (proc(5)); nullopt when it is missing or malformed.
std::optional<CpuTicks> parseProcStat(const std::string& text);
// utime + stime of /proc/self/stat's text (fields 14 and 15, after the parenthesised command name, which may
// hold spaces); nullopt when malformed.
std::optional<std::uint64_t> parseProcessTicks(const std::string& text);

// Cores kept busy by other processes over `window`: (busy ticks of the machine - this process's ticks) /
// all ticks x cores. nullopt where /proc cannot be read.
std::optional<double> busyCoresOfOthers(std::chrono::milliseconds window = std::chrono::milliseconds(100));

// The free cores, rounded, at least 1 and at most `cores`.
int threadsForLoad(int cores, double busyCoresOfOthers);

} // namespace dermgan
