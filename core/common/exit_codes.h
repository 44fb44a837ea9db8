#pragma once
// The exit codes of `dermgan`, which scripts rely on and the explorer reads from the child processes it runs
// (listed in `dermgan --help`, the README and docs/ARCHITECTURE.md). Here in core so that app/ and ui/ share
// one definition.
namespace dermgan::cli {
constexpr int kOk = 0;
constexpr int kInternalError = 1;  // a bug or an unexpected system failure
constexpr int kUsageError = 2;     // the command line does not parse: unknown option, missing argument, a value of
                                   // the wrong type (CLI11's ParseError)
constexpr int kInputError = 3;     // bad input: a missing or corrupt file, a wrong CSV, and option values that parse
                                   // but are refused (an unknown augmentation, a class the model lacks, ...)
constexpr int kPeerFailed = 4;     // federated / data-parallel: another site died, hung or disagreed
constexpr int kCancelled = 130;    // interrupted (Ctrl-C), after the run's snapshot was written
} // namespace dermgan::cli
