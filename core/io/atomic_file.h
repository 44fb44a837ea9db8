#pragma once
// Writes that never leave a half-written file behind: data go to a temporary file in the same folder,
// which is flushed and then renamed over the destination (rename is atomic within one file system).
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace dermgan {

// Calls `write` with a stream to a temporary file, then renames it to `destination`. Creates missing
// parent folders. On any failure the temporary file is removed and the destination is left untouched.
void writeFileAtomically(const std::filesystem::path& destination,
                         const std::function<void(std::ostream&)>& write);

void writeTextFileAtomically(const std::filesystem::path& destination, const std::string& text);

} // namespace dermgan
