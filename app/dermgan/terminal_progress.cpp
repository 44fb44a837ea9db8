#include "terminal_progress.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <unistd.h>

namespace dermgan::cli {

namespace {
std::atomic<bool> gInterrupted{false};
extern "C" void onInterrupt(int) { gInterrupted = true; }
} // namespace

// SIGTERM too: service managers and the explorer's training panel stop a run with it, and a run must then
// write its snapshot like after Ctrl-C.
void installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}
bool interrupted() { return gInterrupted; }

TerminalProgress::TerminalProgress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

TerminalProgress::~TerminalProgress() { finish(); }

ProgressCallback TerminalProgress::callback()
{
    return [this](const Progress& progress) {
        draw(progress);
        return !interrupted();
    };
}

void TerminalProgress::draw(const Progress& progress)
{
    if (!enabled_)
        return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = progress.total > 0 && progress.done >= progress.total;
    if (!last && now - lastDraw_ < std::chrono::milliseconds(100))
        return;
    lastDraw_ = now;
    constexpr int width = 30;
    if (progress.total > 0) {
        const double fraction = static_cast<double>(progress.done) / static_cast<double>(progress.total);
        const int filled = static_cast<int>(fraction * width);
        std::fprintf(stderr, "\r[%-*s] %3d%% %s %zu/%zu", width, std::string(static_cast<std::size_t>(filled), '#').c_str(),
                     static_cast<int>(fraction * 100.0), progress.stage.c_str(), progress.done, progress.total);
    } else {
        std::fprintf(stderr, "\r%s %zu", progress.stage.c_str(), progress.done);
    }
    std::fflush(stderr);
    drawn_ = true;
}

void TerminalProgress::finish()
{
    if (drawn_) {
        std::fprintf(stderr, "\n");
        drawn_ = false;
    }
}

void printTick(const nlohmann::json& line, bool json)
{
    if (json) {
        std::cout << line.dump() << std::endl;
        return;
    }
    std::cout << std::fixed << std::setprecision(1) << "tick " << std::setw(4) << line["tick"].get<int64_t>()
              << "  kimg " << std::setw(7) << line["kimg"].get<double>() << "  sec/kimg " << std::setw(6)
              << line["sec_per_kimg"].get<double>() << "  img/s " << std::setw(5) << line["images_per_sec"].get<double>()
              << std::setprecision(3) << "  G " << line["loss_g"].get<double>() << "  D real/fake "
              << line["loss_d_real"].get<double>() << "/" << line["loss_d_fake"].get<double>() << "  R1 "
              << line["r1_penalty"].get<double>() << "  p " << line["augment_p"].get<double>() << "  RSS "
              << std::setprecision(0) << line["rss_mb"].get<double>() << " MB" << std::endl;
}

} // namespace dermgan::cli
