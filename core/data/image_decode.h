#pragma once
// Decoding and the one preprocessing every model shares: centre crop to a square, resize to the model's
// resolution, 8-bit RGB. Grayscale, alpha and 16-bit images are converted; corrupt or truncated files are
// reported, never half-decoded in silence.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace dermgan {

constexpr int kMinResolution = 16;
constexpr int kMaxResolution = 1024;

// Generators and StyleGAN2-ADA datasets: a power of two from 16 to 1024.
bool isSupportedResolution(int resolution);
// Throws InputError: "<what> is N; expected a power of two from 16 to 1024".
void requireSupportedResolution(int resolution, const std::string& what = "resolution");
// Decoded images (the pixel cache, classifiers): a multiple of 16 from 16 to 1024, so that a classifier can
// look at 96x96 lesions. Throws InputError: "<what> is N; expected a multiple of 16 from 16 to 1024".
bool isSupportedImageResolution(int resolution);
void requireSupportedImageResolution(int resolution, const std::string& what = "resolution");

// Decodes encoded image bytes to 8-bit RGB (3 channels). Throws InputError naming `name` when the data are
// not an image or are truncated.
cv::Mat decodeImageRgb(const std::vector<std::uint8_t>& bytes, const std::string& name);
cv::Mat readImageRgb(const std::filesystem::path& path);

// Centre crop to the largest square, then resize (area filter when shrinking, bicubic when enlarging).
cv::Mat squareCropResize(const cv::Mat& rgb, int resolution);

} // namespace dermgan
