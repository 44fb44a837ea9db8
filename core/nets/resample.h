#pragma once
// FIR up/down-sampling and resampled convolution with the semantics of the reference StyleGAN2-ADA ops
// (upfirdn2d, conv2d_resample), written with plain LibTorch ops so they run on CPU and CUDA alike and
// keep the image-for-image parity that importing reference networks relies on.
#include <array>

#include <torch/types.h>

namespace dermgan::nets {

// [1,3,3,1] -> normalised 4x4 outer-product filter (sum 1), as setup_filter() does for short filters.
torch::Tensor setupFilter(const std::vector<float>& taps = {1, 3, 3, 1});

// Zero-insertion upsampling by `up`, padding (x0, x1, y0, y1; negative crops), FIR filtering, then keeping every
// `down`-th sample. The filter is scaled by gain (gain^(ndim/2) for a 2-D filter = gain).
torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& filter, int up = 1, int down = 1,
                        std::array<int, 4> padding = {0, 0, 0, 0}, double gain = 1.0);

torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& filter, int up = 2);
torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& filter, int down = 2);

// 2-D convolution with optional FIR upsampling (up = 2) or downsampling (down = 2) around it.
// flipWeight = true is cross-correlation (PyTorch's conv2d); the reference passes false for upsampling layers.
// A defined `bias` [out channels] is added to the result, inside the convolution where that comes last.
torch::Tensor conv2dResample(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& filter,
                             int up = 1, int down = 1, int padding = 0, int64_t groups = 1, bool flipWeight = true,
                             const torch::Tensor& bias = {});

} // namespace dermgan::nets
