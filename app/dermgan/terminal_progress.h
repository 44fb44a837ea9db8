#pragma once
// A progress bar on stderr for long CLI jobs (drawn only when stderr is a terminal), and Ctrl-C handling
// that asks the running job to stop cleanly instead of killing it mid-write, and the training tick line.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/progress.h"

namespace dermgan::cli {

// Installs a SIGINT handler; afterwards interrupted() turns true on Ctrl-C.
void installInterruptHandler();
bool interrupted();

// One training stats line (core Trainer tick) on stdout: as JSON with `json`, else a readable line.
void printTick(const nlohmann::json& line, bool json);

class TerminalProgress {
public:
    explicit TerminalProgress(bool enabled);
    ~TerminalProgress();
    // A callback for core jobs: draws the bar and returns false once the user pressed Ctrl-C.
    ProgressCallback callback();
    void finish();

private:
    void draw(const Progress& progress);
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point lastDraw_{};
};

} // namespace dermgan::cli
