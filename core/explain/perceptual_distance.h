#pragma once
// Perceptual distances between images, the projector's main loss and one of its readouts.
// - DermPerceptualDistance: LPIPS-style on the bundled dermatology network's four stage outputs: each
//   feature vector is normalised to unit length over channels, then squared differences are averaged over
//   positions and summed over stages (LPIPS without its learned per-channel weights). 0 = identical;
//   values are comparable only between runs with the same network file.
// - TorchScriptVggDistance: the reference projector's distance with a user-supplied `vgg16.pt`
//   (NVlabs' TorchScript VGG16, called with return_lpips=True on 0-255 images): the sum of squared
//   differences of its LPIPS features.
#include <filesystem>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/types.h>

namespace dermgan::explain {

class PerceptualDistance {
public:
    virtual ~PerceptualDistance() = default;
    virtual std::string name() const = 0;
    // Per-image distances [N] between float images in [-1, 1], [N, 3, R, R]; differentiable.
    virtual torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) = 0;
};

// `spec`: "derm" (bundled), a .dermnet file, or a TorchScript VGG16 .pt file. InputError when unusable.
std::unique_ptr<PerceptualDistance> openPerceptualDistance(const std::string& spec, const c10::Device& device);

} // namespace dermgan::explain
