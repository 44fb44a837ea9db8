#pragma once
// Progress reporting for long jobs: a plain callback, so that the core stays Qt-free and the UI adapts it
// to signals while the CLI draws a terminal bar.
#include <cstddef>
#include <functional>
#include <string>

#include "common/errors.h"

namespace dermgan {

struct Progress {
    std::string stage;      // what is being done, e.g. "decoding images"
    std::size_t done = 0;
    std::size_t total = 0;  // 0 when unknown
};

// Returns false to ask the job to stop; the job then throws CancelledError.
using ProgressCallback = std::function<bool(const Progress&)>;

// Calls the callback (if any) and throws CancelledError when it asks to stop.
inline void reportProgress(const ProgressCallback& callback, const Progress& progress)
{
    if (callback && !callback(progress))
        throw CancelledError();
}

} // namespace dermgan
