#include "common/cpu_load.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace dermgan {

namespace {

std::string readFile(const char* path)
{
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

std::optional<CpuTicks> parseProcStat(const std::string& text)
{
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("cpu ", 0) != 0)
            continue;
        std::istringstream fields(line.substr(4));
        std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        if (!(fields >> user >> nice >> system >> idle))
            return std::nullopt;
        fields >> iowait >> irq >> softirq >> steal;  // absent on very old kernels
        CpuTicks ticks;
        ticks.busy = user + nice + system + irq + softirq + steal;
        ticks.total = ticks.busy + idle + iowait;
        return ticks;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parseProcessTicks(const std::string& text)
{
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    // After the command: state (field 3) ... utime (14), stime (15).
    for (int i = 3; i <= 13; ++i)
        if (!(fields >> field))
            return std::nullopt;
    std::uint64_t utime = 0, stime = 0;
    if (!(fields >> utime >> stime))
        return std::nullopt;
    return utime + stime;
}

std::optional<double> busyCoresOfOthers(std::chrono::milliseconds window)
{
    const auto machineBefore = parseProcStat(readFile("/proc/stat"));
    const auto selfBefore = parseProcessTicks(readFile("/proc/self/stat"));
    std::this_thread::sleep_for(window);
    const auto machineAfter = parseProcStat(readFile("/proc/stat"));
    const auto selfAfter = parseProcessTicks(readFile("/proc/self/stat"));
    if (!machineBefore || !machineAfter || !selfBefore || !selfAfter || machineAfter->total <= machineBefore->total)
        return std::nullopt;
    const double cores = std::max(1u, std::thread::hardware_concurrency());
    const double busy = static_cast<double>(machineAfter->busy - machineBefore->busy) -
                        static_cast<double>(*selfAfter - *selfBefore);
    return std::clamp(busy / static_cast<double>(machineAfter->total - machineBefore->total) * cores, 0.0, cores);
}

int threadsForLoad(int cores, double busyCoresOfOthers)
{
    return std::clamp(static_cast<int>(std::lround(cores - busyCoresOfOthers)), 1, std::max(1, cores));
}

} // namespace dermgan
