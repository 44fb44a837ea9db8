#pragma once
// Strided transposed convolution that runs on oneDNN on the CPU.
//
// LibTorch 1.13 has no oneDNN transposed convolution: conv_transpose2d falls back to an im2col + GEMM loop per
// image. A transposed convolution is the input gradient of the ordinary convolution with the same weight, and
// that gradient has a oneDNN kernel, as do the ordinary convolution (our input gradient) and its weight
// gradient (ours, with the roles of input and output swapped). Measured on the 64x64 generator's upsampling
// layers: 2-3x faster forward, about 2x backward (bench_training prints the whole step).
#include <array>

#include <torch/types.h>

namespace dermgan::nets {

// Same result as torch::nn::functional::conv_transpose2d(x, weight, stride, padding, groups) (no output
// padding, no dilation, no bias), twice differentiable. Other devices and dtypes, and TorchScript tracing, use
// conv_transpose2d itself.
torch::Tensor transposedConv2d(const torch::Tensor& x, const torch::Tensor& weight, std::array<int64_t, 2> stride,
                               std::array<int64_t, 2> padding, int64_t groups);

} // namespace dermgan::nets
