#pragma once
// Decoding and the one preprocessing every model shares: centre crop to a square, resize to the model's
// resolution, 8-bit RGB. Grayscale, alpha and 16-bit images are converted; corrupt or truncated files are
// reported, never half-decoded in silence.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/resolution.h"  // the sizes decoding accepts

namespace dermgan {

// Decodes encoded image bytes to 8-bit RGB (3 channels). Throws InputError naming `name` when the data are
// not an image or are truncated.
cv::Mat decodeImageRgb(const std::vector<std::uint8_t>& bytes, const std::string& name);
cv::Mat readImageRgb(const std::filesystem::path& path);

// Centre crop to the largest square, then resize (area filter when shrinking, bicubic when enlarging).
cv::Mat squareCropResize(const cv::Mat& rgb, int resolution);

} // namespace dermgan
