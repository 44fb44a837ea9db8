#pragma once
// `dermgan classify` (the predictive-ability study and the bundled feature network), `dermgan metrics`
// (FID/KID/PR/density/coverage in a named embedding, baseline and speed), `dermgan audit`
// (memorisation: nearest training images of synthetic ones) and `dermgan reader-study` (the explorer's
// reader studies, pooled).
#include <CLI/CLI.hpp>

namespace dermgan::cli {

void addClassifyCommand(CLI::App& parent, int& exitCode);
void addMetricsCommand(CLI::App& parent, int& exitCode);
void addAuditCommand(CLI::App& parent, int& exitCode);
void addReaderStudyCommand(CLI::App& parent, int& exitCode);

} // namespace dermgan::cli
