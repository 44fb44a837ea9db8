#pragma once
// Image dimensions read from a file's header alone, without decoding the pixels: lets the decoder say that a
// valid image is too large (rather than "corrupt") and refuse a header that promises more pixels than the
// file can hold.
#include <cstdint>
#include <optional>
#include <vector>

namespace dermgan {

struct ImageSize {
    std::int64_t width = 0;
    std::int64_t height = 0;
};

// Width and height from a PNG (IHDR), JPEG (first SOFn marker), BMP, WebP (VP8, VP8L, VP8X) or TIFF (first
// IFD) header; nullopt for other formats or a header too short to say.
std::optional<ImageSize> readImageHeaderSize(const std::vector<std::uint8_t>& bytes);

// Whether `bytes` start like a PNG, JPEG, BMP, TIFF or WebP file: the formats dermgan reads. OpenCV would
// also try every other codec it was built with (DICOM through GDCM, JPEG 2000, OpenEXR, ...) on any bytes;
// fuzzing found an input that makes GDCM abort the process, so only these reach the decoder.
bool hasSupportedImageSignature(const std::vector<std::uint8_t>& bytes);

} // namespace dermgan
