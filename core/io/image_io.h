#pragma once
// Writing generated images: tensors in [-1, 1] to 8-bit PNGs (single or grids), with text metadata,
// atomically.
#include <filesystem>
#include <map>
#include <string>

#include <opencv2/core.hpp>
#include <torch/types.h>

namespace dermgan {

// [C, H, W] float in [-1, 1] (C = 1 or 3) -> 8-bit RGB cv::Mat.
cv::Mat tensorToRgbImage(const torch::Tensor& image);
// [N, C, H, W] -> one image with `columns` images a row (rows = ceil(N / columns)).
cv::Mat tensorGrid(const torch::Tensor& images, int columns);

// Writes an RGB image as PNG with tEXt chunks, atomically.
void writePng(const std::filesystem::path& path, const cv::Mat& rgb, const std::map<std::string, std::string>& text = {});

} // namespace dermgan
