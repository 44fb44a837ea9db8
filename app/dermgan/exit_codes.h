#pragma once
// Exit codes scripts can rely on (listed in `dermgan --help` and the README).
namespace dermgan::cli {
constexpr int kOk = 0;
constexpr int kInternalError = 1;  // a bug or an unexpected system failure
constexpr int kUsageError = 2;     // unknown option, missing argument, bad option value
constexpr int kInputError = 3;     // bad input data: missing file, corrupt image, wrong CSV, ...
constexpr int kPeerFailed = 4;     // federated / data-parallel: another site died, hung or disagreed
constexpr int kCancelled = 130;    // interrupted (Ctrl-C)
} // namespace dermgan::cli
