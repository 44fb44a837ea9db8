#include "io/png_text.h"

#include <cstring>
#include <stdexcept>
#include <zlib.h>

namespace dermgan {

namespace {

constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

std::uint32_t be32(const std::uint8_t* p)
{
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}

void putBe32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void requirePng(const std::vector<std::uint8_t>& png)
{
    if (png.size() < 33 || std::memcmp(png.data(), kSignature, 8) != 0 || std::memcmp(&png[12], "IHDR", 4) != 0)
        throw std::invalid_argument("not a PNG stream");
}

} // namespace

std::vector<std::uint8_t> addPngText(const std::vector<std::uint8_t>& png, const std::map<std::string, std::string>& text)
{
    requirePng(png);
    const std::size_t afterHeader = 8 + 12 + be32(&png[8]);
    std::vector<std::uint8_t> out(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(afterHeader));
    for (const auto& [key, value] : text) {
        if (key.empty() || key.size() > 79)
            throw std::invalid_argument("PNG text key must be 1-79 characters: " + key);
        std::vector<std::uint8_t> chunk = {'t', 'E', 'X', 't'};
        chunk.insert(chunk.end(), key.begin(), key.end());
        chunk.push_back(0);
        chunk.insert(chunk.end(), value.begin(), value.end());
        putBe32(out, static_cast<std::uint32_t>(chunk.size() - 4));
        out.insert(out.end(), chunk.begin(), chunk.end());
        putBe32(out, static_cast<std::uint32_t>(crc32(0L, chunk.data(), static_cast<uInt>(chunk.size()))));
    }
    out.insert(out.end(), png.begin() + static_cast<std::ptrdiff_t>(afterHeader), png.end());
    return out;
}

std::map<std::string, std::string> readPngText(const std::vector<std::uint8_t>& png)
{
    requirePng(png);
    std::map<std::string, std::string> text;
    for (std::size_t pos = 8; pos + 12 <= png.size();) {
        const std::uint32_t length = be32(&png[pos]);
        if (pos + 12 + length > png.size())
            break;
        if (std::memcmp(&png[pos + 4], "tEXt", 4) == 0) {
            const auto* data = reinterpret_cast<const char*>(&png[pos + 8]);
            const std::string chunk(data, length);
            const auto nul = chunk.find('\0');
            if (nul != std::string::npos)
                text[chunk.substr(0, nul)] = chunk.substr(nul + 1);
        }
        pos += 12 + length;
    }
    return text;
}

} // namespace dermgan
