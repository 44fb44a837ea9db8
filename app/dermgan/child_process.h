#pragma once
// Running another dermgan command as a child process (this same executable), its output appended to a
// log file. Used by `dermgan study`, whose stages are the ordinary commands, so that every number in its
// report comes from a command a user can run alone.
#include <filesystem>
#include <string>
#include <vector>

namespace dermgan::cli {

// Runs /proc/self/exe with `arguments` (argv[0] included), stdout and stderr appended to `log`, and waits.
// Ctrl-C (interrupted()) is passed on to the child, which then stops as it would in a terminal. Returns
// the child's exit code (128 + signal when it was killed).
int runLoggedChild(const std::vector<std::string>& arguments, const std::filesystem::path& log);

} // namespace dermgan::cli
