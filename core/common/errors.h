#pragma once
// Error types shared by every layer. Messages are one line: what went wrong, where, and what was expected,
// so that the CLI can print them as they are and the GUI can put them in a dialog.
#include <stdexcept>
#include <string>

namespace dermgan {

// Caused by what the user gave us: a file, a folder, an option value, the content of a dataset.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The user (or a progress callback) asked to stop a long job.
class CancelledError : public std::runtime_error {
public:
    CancelledError() : std::runtime_error("cancelled") {}
};

} // namespace dermgan
