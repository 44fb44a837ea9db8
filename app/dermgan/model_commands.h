#pragma once
// `dermgan train`, `dermgan generate` and `dermgan export`.
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addTrainCommand(CLI::App& parent, int& exitCode);
void addGenerateCommand(CLI::App& parent, int& exitCode);
void addExportCommand(CLI::App& parent, int& exitCode);
void addImportCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
