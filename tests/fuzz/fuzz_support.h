#pragma once
// What every fuzz target shares. The contract under test: a parser of outside data either accepts its
// input or throws InputError (one line, exit 3 in the CLI). Any other exception, a crash, a sanitizer report
// or a hang is a finding, so anything but InputError is left to escape and abort the fuzzer.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dermgan::fuzz {

// A folder of this process's own, made once (readers that take a path read the input from a file there).
const std::filesystem::path& scratchFolder();
// Writes `size` bytes to scratchFolder()/name and returns the path.
std::filesystem::path writeScratch(const std::string& name, const std::uint8_t* data, std::size_t size);

// A tiny conditional 16x16 generator (classes nv, mel), the same weights and hash on every call and machine,
// written as a .dermgan to `path`: the model that map files and directions in the seed corpus belong to.
void writeTinyGenerator(const std::filesystem::path& path);

} // namespace dermgan::fuzz

// Runs `body`; InputError is the expected way to refuse an input.
#define DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(body) \
    try {                                        \
        body;                                    \
    } catch (const dermgan::InputError&) {       \
    }
