#pragma once
// `dermgan train` and `dermgan generate`.
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addTrainCommand(CLI::App& parent, int& exitCode);
void addGenerateCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
