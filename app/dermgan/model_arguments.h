#pragma once
// Parsing of the arguments that name things inside a model: seeds, classes, noise modes, comma lists.
#include <cstdint>
#include <string>
#include <vector>

#include "nets/generator.h"

namespace dermgan::cli {

// "a,b,,c" -> a b c: the items of a comma list, empty ones dropped.
std::vector<std::string> splitList(const std::string& text);
// "0-7,42" -> 0 1 2 3 4 5 6 7 42. InputError for malformed text.
std::vector<std::uint32_t> parseSeeds(const std::string& text);
// A class index, a class name or "all" -> indices; {-1} for an unconditional model given no class.
std::vector<int64_t> parseClasses(const std::string& text, const nets::NetworkConfig& network);
nets::NoiseMode parseNoise(const std::string& text);

} // namespace dermgan::cli
