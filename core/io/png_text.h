#pragma once
// PNG text chunks (tEXt): every synthetic image dermgan writes carries where it came from (model hash,
// seed, class, truncation) and that it is synthetic, readable by any PNG tool (e.g. `exiftool`, PIL).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dermgan {

// Inserts tEXt chunks right after IHDR. Keys: 1-79 Latin-1 characters; throws std::invalid_argument when
// `png` is not a PNG stream.
std::vector<std::uint8_t> addPngText(const std::vector<std::uint8_t>& png, const std::map<std::string, std::string>& text);

// All tEXt chunks of a PNG stream.
std::map<std::string, std::string> readPngText(const std::vector<std::uint8_t>& png);

} // namespace dermgan
