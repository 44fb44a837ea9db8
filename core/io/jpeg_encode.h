#pragma once
// JPEG encoding without chroma subsampling (4:4:4). OpenCV 4.6's encoder always halves the colour resolution
// (4:2:0), which at 64x64 blurs a lesion's colour edges; libjpeg-turbo's own API keeps every chroma sample.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace dermgan {

// 8-bit RGB image (CV_8UC3, RGB order) -> JPEG bytes at `quality` (1-100), 4:4:4, baseline, optimised Huffman
// tables. Throws InputError for another image type or a quality outside 1-100.
std::vector<std::uint8_t> encodeJpeg444(const cv::Mat& rgb, int quality);

} // namespace dermgan
