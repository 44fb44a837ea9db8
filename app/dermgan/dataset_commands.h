#pragma once
// `dermgan dataset ...`: inspect, split, prepare.
#include <CLI/CLI.hpp>

namespace dermgan::cli {

// Adds the subcommands to `parent`; each runs through CLI11's callback and records its exit code.
void addDatasetCommands(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
