#pragma once
// `dermgan project` (real images into the latent space, with distance readouts) and `dermgan directions`
// (PCA and class directions for the explorer's sliders) and `dermgan embed` (2-D maps of real and synthetic
// images).
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addProjectCommand(CLI::App& parent, int& exitCode);
void addDirectionsCommand(CLI::App& parent, int& exitCode);
void addEmbedCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
