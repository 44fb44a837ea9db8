#pragma once
// Adaptive discriminator augmentation (Karras et al. 2020, "bgc" pipeline): every image shown to D, real
// or fake, is transformed with probability p per operation, differentiably so G's gradients pass through.
// Geometric ops (x-flip, 90-degree rotations, integer translation, isotropic / anisotropic scaling,
// rotation, fractional translation) are composed into one affine matrix per image and executed with one
// bilinear resampling (reflection at the borders), or as the reference does (training/augment.py:
// reflect padding, 2x upsampling with the sym6 wavelet, bilinear resampling, sym6 downsampling); colour ops
// (brightness, contrast, luma flip, hue, saturation) into one 4x4 colour matrix. Each op is applied with
// probability p per image (a 2-D translation with one draw for both axes). A compact re-derivation written
// in LibTorch ops that are twice differentiable (for R1), not the reference code.
#include <string>

#include <torch/types.h>

namespace dermgan::train {

struct AugmentSpec {
    bool blit = true;      // xflip, rotate90, integer translation
    bool geometric = true; // scaling, rotation, anisotropy, fractional translation
    bool color = true;     // brightness, contrast, luma flip, hue, saturation
    double xintMax = 0.125, scaleStd = 0.2, rotateMax = 1.0, anisoStd = 0.2, xfracStd = 0.125;
    double brightnessStd = 0.2, contrastStd = 0.5, hueMax = 1.0, saturationStd = 1.0;
    // Geometric resampling: false = one bilinear pass with reflection at the borders (fast on a CPU); true =
    // the reference's execution (resampleAffine: sym6 2x up, bilinear, sym6 down), which keeps fine texture
    // under fractional shifts and costs 5-10x more on a CPU.
    bool waveletResampling = false;

    // "bgc" (default), "bg", "b", "none", ... : which groups are on.
    static AugmentSpec fromString(const std::string& groups);
    std::string toString() const;
};

// Applies the augmentations with probability p each. p = 0 returns the input unchanged.
torch::Tensor augment(const torch::Tensor& images, double p, const AugmentSpec& spec);

// The geometric step alone: images [N, C, H, W] resampled through `outputToInput` [N, 3, 3], which maps an
// output pixel's normalised coordinates (x, y in [-1, 1], align_corners = false, as affine_grid) to where it
// is read in the input. Reference: the geometric execution of training/augment.py (StyleGAN2-ADA). Returns
// [N, C, H, W]; twice differentiable.
torch::Tensor resampleAffine(const torch::Tensor& images, const torch::Tensor& outputToInput);

// The ADA heuristic: every `interval` steps, move p by sign(E[sign(D(real))] - target) * batch * interval /
// (adjustKimg * 1000), kept in [0, 1]. E[sign] near 1 means D is sure about the reals: it overfits.
class AdaController {
public:
    AdaController(double target = 0.6, int interval = 4, double adjustKimg = 100.0)
        : target_(target), interval_(interval), adjustKimg_(adjustKimg) {}

    // Feed the real logits' signs of one step; returns true when p changed.
    bool accumulate(double signSum, int64_t count, int batchSize);

    double p = 0.0;
    double lastSignMean = 0.0;  // the last E[sign(D(real))] used for an update
    double pendingSignSum = 0.0;
    int64_t pendingCount = 0;
    int pendingSteps = 0;

    double target() const { return target_; }

private:
    double target_;
    int interval_;
    double adjustKimg_;
};

} // namespace dermgan::train
