#pragma once
// `dermgan project` (real images into the latent space, with distance readouts) and `dermgan directions`
// (PCA and class directions for the explorer's sliders).
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addProjectCommand(CLI::App& parent, int& exitCode);
void addDirectionsCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
