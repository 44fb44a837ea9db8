#pragma once
// The image sizes dermgan works at, shared by the datasets (core/data) and the networks (core/nets).
#include <string>

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

} // namespace dermgan
