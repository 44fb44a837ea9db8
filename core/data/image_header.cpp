#include "data/image_header.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace dermgan {

namespace {

std::uint32_t be16(const std::uint8_t* p) { return (std::uint32_t(p[0]) << 8) | p[1]; }
std::uint32_t be32(const std::uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }
std::uint32_t le16(const std::uint8_t* p) { return (std::uint32_t(p[1]) << 8) | p[0]; }
std::uint32_t le24(const std::uint8_t* p) { return le16(p) | (std::uint32_t(p[2]) << 16); }
std::uint32_t le32(const std::uint8_t* p) { return le24(p) | (std::uint32_t(p[3]) << 24); }

std::optional<ImageSize> pngSize(const std::vector<std::uint8_t>& b)
{
    static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (b.size() < 24 || std::memcmp(b.data(), signature, 8) != 0 || std::memcmp(&b[12], "IHDR", 4) != 0)
        return std::nullopt;
    return ImageSize{be32(&b[16]), be32(&b[20])};
}

// Walks the marker segments up to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC).
std::optional<ImageSize> jpegSize(const std::vector<std::uint8_t>& b)
{
    if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8)
        return std::nullopt;
    std::size_t pos = 2;
    while (pos + 4 <= b.size()) {
        if (b[pos] != 0xFF)
            return std::nullopt;
        const std::uint8_t marker = b[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            pos += 2;
            continue;
        }
        const std::size_t length = be16(&b[pos + 2]);
        const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame) {
            if (pos + 9 > b.size())
                return std::nullopt;
            return ImageSize{be16(&b[pos + 7]), be16(&b[pos + 5])};
        }
        if (marker == 0xDA || marker == 0xD9 || length < 2)
            return std::nullopt;
        pos += 2 + length;
    }
    return std::nullopt;
}

std::optional<ImageSize> bmpSize(const std::vector<std::uint8_t>& b)
{
    if (b.size() < 26 || b[0] != 'B' || b[1] != 'M' || le32(&b[14]) < 12)
        return std::nullopt;
    if (le32(&b[14]) == 12)  // OS/2 BITMAPCOREHEADER: 16-bit sizes
        return ImageSize{le16(&b[18]), le16(&b[20])};
    const auto height = static_cast<std::int32_t>(le32(&b[22]));  // negative: stored top-down
    return ImageSize{static_cast<std::int32_t>(le32(&b[18])), height < 0 ? -std::int64_t(height) : height};
}

std::optional<ImageSize> webpSize(const std::vector<std::uint8_t>& b)
{
    if (b.size() < 30 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(&b[8], "WEBP", 4) != 0)
        return std::nullopt;
    const std::uint8_t* chunk = &b[12];
    if (std::memcmp(chunk, "VP8 ", 4) == 0)
        return ImageSize{le16(&b[26]) & 0x3FFF, le16(&b[28]) & 0x3FFF};
    if (std::memcmp(chunk, "VP8L", 4) == 0) {
        const std::uint32_t bits = le32(&b[21]);
        return ImageSize{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    if (std::memcmp(chunk, "VP8X", 4) == 0)
        return ImageSize{std::int64_t(le24(&b[24])) + 1, std::int64_t(le24(&b[27])) + 1};
    return std::nullopt;
}

// ImageWidth (256) and ImageLength (257) from the first IFD, either byte order.
std::optional<ImageSize> tiffSize(const std::vector<std::uint8_t>& b)
{
    if (b.size() < 8)
        return std::nullopt;
    const bool little = b[0] == 'I' && b[1] == 'I' && b[2] == 0x2A && b[3] == 0;
    const bool big = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 0x2A;
    if (!little && !big)
        return std::nullopt;
    const auto u16 = [&](std::size_t at) { return little ? le16(&b[at]) : be16(&b[at]); };
    const auto u32 = [&](std::size_t at) { return little ? le32(&b[at]) : be32(&b[at]); };
    const std::size_t ifd = u32(4);
    if (ifd + 2 > b.size())
        return std::nullopt;
    std::int64_t width = -1, height = -1;
    const std::size_t entries = u16(ifd);
    for (std::size_t i = 0; i < entries && ifd + 2 + 12 * (i + 1) <= b.size(); ++i) {
        const std::size_t entry = ifd + 2 + 12 * i;
        const auto tag = u16(entry), type = u16(entry + 2);
        const std::int64_t value = type == 3 ? u16(entry + 8) : u32(entry + 8);  // SHORT or LONG
        if (tag == 256)
            width = value;
        else if (tag == 257)
            height = value;
    }
    if (width < 0 || height < 0)
        return std::nullopt;
    return ImageSize{width, height};
}

} // namespace

bool hasSupportedImageSignature(const std::vector<std::uint8_t>& b)
{
    const auto starts = [&b](std::initializer_list<std::uint8_t> magic) {
        return b.size() >= magic.size() && std::equal(magic.begin(), magic.end(), b.begin());
    };
    return starts({0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}) || starts({0xFF, 0xD8, 0xFF}) || starts({'B', 'M'}) ||
           starts({'I', 'I', 0x2A, 0x00}) || starts({'M', 'M', 0x00, 0x2A}) ||
           (starts({'R', 'I', 'F', 'F'}) && b.size() >= 12 && std::memcmp(&b[8], "WEBP", 4) == 0);
}

std::optional<ImageSize> readImageHeaderSize(const std::vector<std::uint8_t>& bytes)
{
    for (auto probe : {pngSize, jpegSize, bmpSize, webpSize, tiffSize})
        if (auto size = probe(bytes))
            return size;
    return std::nullopt;
}

} // namespace dermgan
