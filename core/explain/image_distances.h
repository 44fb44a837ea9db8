#pragma once
// How close a projection comes to its real image, in several senses: pixels (RMSE on 0-255, PSNR),
// structure (SSIM: Gaussian window 11, sigma 1.5, the usual constants, averaged over RGB channels),
// perception (the perceptual distance in use), and the feature network's embedding (cosine distance of
// pooled features). Comparing these for training images and held-out images tells memorisation from
// generalisation: a GAN that reproduces training images far better than new ones has memorised them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace dermgan::explain {

struct ImageDistances {
    double rmse = 0;              // on 0-255
    double psnr = 0;              // dB, peak 1 on 0-1 images
    double ssim = 0;              // 1 = identical
    double perceptual = 0;        // of the perceptual distance used
    double featureCosine = 0;     // 1 - cos(features); 0 = same embedding direction
};

// [3, R, R] float images in [-1, 1].
double ssim(const torch::Tensor& a, const torch::Tensor& b);
double psnr(const torch::Tensor& a, const torch::Tensor& b);

nlohmann::json toJson(const ImageDistances& d);

struct DistanceSummary {
    int count = 0;
    ImageDistances mean, median;
};
DistanceSummary summarise(const std::vector<ImageDistances>& distances);
nlohmann::json toJson(const DistanceSummary& s);

} // namespace dermgan::explain
