#pragma once
// One rule for every reader of a file from outside: whatever goes wrong while reading it (a LibTorch archive
// error, a JSON type error, an allocation a damaged size asks for, a config check) leaves as one InputError
// line that names the file and says what was expected, never as an "internal error" or a trace.
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>

#include "common/errors.h"

namespace dermgan {

// The first line of an exception's text, without nlohmann's "[json.exception.type_error.302] " tag.
std::string errorSummary(const std::exception& error);

// Throws InputError "<path>: <detail>; expected <expected>", leaving out the path when `detail` names it.
[[noreturn]] void throwFileError(const std::filesystem::path& path, const std::string& detail, const std::string& expected);

// Runs `read` (which reads `path`) and converts its failures as above. `expected` says what the file should
// be, e.g. "a dermgan generator (.dermgan)". CancelledError passes through.
template <typename Read>
auto readingFile(const std::filesystem::path& path, const std::string& expected, Read&& read) -> decltype(read())
{
    try {
        return read();
    } catch (const CancelledError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throwFileError(path, "it declares sizes larger than this machine's memory (damaged file?)", expected);
    } catch (const std::exception& e) {
        throwFileError(path, errorSummary(e), expected);
    }
}

} // namespace dermgan
