#pragma once
// `dermgan train`, `federated-sim`, `study`, `generate`, `export` and `import-stylegan2`.
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addTrainCommand(CLI::App& parent, int& exitCode);
void addFederatedSimCommand(CLI::App& parent, int& exitCode);
void addStudyCommand(CLI::App& parent, int& exitCode);
void addGenerateCommand(CLI::App& parent, int& exitCode);
void addExportCommand(CLI::App& parent, int& exitCode);
void addImportCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
