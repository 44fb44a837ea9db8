#include "nets/resample.h"

#include <torch/torch.h>

#include "nets/transposed_conv.h"

namespace dermgan::nets {

namespace F = torch::nn::functional;

torch::Tensor setupFilter(const std::vector<float>& taps)
{
    auto f = torch::tensor(taps, torch::kFloat32);
    f = torch::outer(f, f);
    return f / f.sum();
}

torch::Tensor upfirdn2d(const torch::Tensor& input, const torch::Tensor& filter, int up, int down,
                        std::array<int, 4> padding, double gain)
{
    auto x = input;
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    if (up > 1) {
        x = x.reshape({n, c, h, 1, w, 1});
        x = F::pad(x, F::PadFuncOptions({0, up - 1, 0, 0, 0, up - 1}));
        x = x.reshape({n, c, h * up, w * up});
    }
    const auto [px0, px1, py0, py1] = padding;
    // Symmetric padding and the downsampling go into the depthwise convolution itself: no padded copy, no
    // strided slice (both cost a full extra tensor, and a zero-filled one in the backward pass).
    const bool symmetric = px0 == px1 && py0 == py1 && px0 >= 0 && py0 >= 0;
    if (!symmetric) {
        x = F::pad(x, F::PadFuncOptions({std::max(px0, 0), std::max(px1, 0), std::max(py0, 0), std::max(py1, 0)}));
        x = x.slice(2, std::max(-py0, 0), x.size(2) - std::max(-py1, 0))
                .slice(3, std::max(-px0, 0), x.size(3) - std::max(-px1, 0));
    }
    // The reference convolves (flips the filter); our filters are symmetric, but keep the semantics.
    auto f = (filter * gain).to(x.dtype()).flip({0, 1});
    f = f.view({1, 1, f.size(0), f.size(1)}).repeat({c, 1, 1, 1});
    auto options = F::Conv2dFuncOptions().groups(c).stride(down);
    if (symmetric)
        options = options.padding({py0, px0});
    x = F::conv2d(x, f, options);
    return x;
}

torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& filter, int up)
{
    const int fw = static_cast<int>(filter.size(1));
    const int p0 = (fw + up - 1) / 2, p1 = (fw - up) / 2;
    return upfirdn2d(x, filter, up, 1, {p0, p1, p0, p1}, static_cast<double>(up * up));
}

torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& filter, int down)
{
    const int fw = static_cast<int>(filter.size(1));
    const int p0 = (fw - down + 1) / 2, p1 = (fw - down) / 2;
    return upfirdn2d(x, filter, 1, down, {p0, p1, p0, p1});
}

namespace {

torch::Tensor convWrapper(const torch::Tensor& x, torch::Tensor w, int stride, std::array<int64_t, 2> padding,
                          int64_t groups, bool transpose, bool flipWeight, const torch::Tensor& bias = {})
{
    if (!flipWeight)
        w = w.flip({2, 3});
    if (transpose) {
        const auto y = transposedConv2d(x, w, {stride, stride}, padding, groups);
        return bias.defined() ? y + bias.view({1, -1, 1, 1}) : y;
    }
    return F::conv2d(x, w, F::Conv2dFuncOptions().stride(stride).padding({padding[0], padding[1]}).groups(groups).bias(bias));
}

torch::Tensor addBias(const torch::Tensor& y, const torch::Tensor& bias)
{
    return bias.defined() ? y + bias.view({1, -1, 1, 1}) : y;
}

} // namespace

torch::Tensor conv2dResample(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& filter,
                             int up, int down, int padding, int64_t groups, bool flipWeight, const torch::Tensor& bias)
{
    const int64_t outChannels = weight.size(0), inPerGroup = weight.size(1);
    const int kh = static_cast<int>(weight.size(2)), kw = static_cast<int>(weight.size(3));
    const int fw = filter.defined() ? static_cast<int>(filter.size(1)) : 1;
    const int fh = filter.defined() ? static_cast<int>(filter.size(0)) : 1;
    int px0 = padding, px1 = padding, py0 = padding, py1 = padding;
    if (up > 1) {
        px0 += (fw + up - 1) / 2;
        px1 += (fw - up) / 2;
        py0 += (fh + up - 1) / 2;
        py1 += (fh - up) / 2;
    }
    if (down > 1) {
        px0 += (fw - down + 1) / 2;
        px1 += (fw - down) / 2;
        py0 += (fh - down + 1) / 2;
        py1 += (fh - down) / 2;
    }
    // 1x1 with downsampling: downsample first, then convolve.
    if (kw == 1 && kh == 1 && down > 1 && up == 1) {
        auto y = upfirdn2d(x, filter, 1, down, {px0, px1, py0, py1});
        return convWrapper(y, weight, 1, {0, 0}, groups, false, flipWeight, bias);
    }
    // 1x1 with upsampling: convolve first, then upsample.
    if (kw == 1 && kh == 1 && up > 1 && down == 1) {
        auto y = convWrapper(x, weight, 1, {0, 0}, groups, false, flipWeight);
        return addBias(upfirdn2d(y, filter, up, 1, {px0, px1, py0, py1}, static_cast<double>(up * up)), bias);
    }
    // Downsampling: FIR filter with padding, then strided convolution.
    if (down > 1 && up == 1) {
        auto y = upfirdn2d(x, filter, 1, 1, {px0, px1, py0, py1});
        return convWrapper(y, weight, down, {0, 0}, groups, false, flipWeight, bias);
    }
    // Upsampling: transposed strided convolution, then FIR filter.
    if (up > 1) {
        torch::Tensor w;
        if (groups == 1) {
            w = weight.transpose(0, 1);
        } else {
            w = weight.reshape({groups, outChannels / groups, inPerGroup, kh, kw}).transpose(1, 2);
            w = w.reshape({groups * inPerGroup, outChannels / groups, kh, kw});
        }
        px0 -= kw - 1;
        px1 -= kw - up;
        py0 -= kh - 1;
        py1 -= kh - up;
        const int pxt = std::max(std::min(-px0, -px1), 0);
        const int pyt = std::max(std::min(-py0, -py1), 0);
        auto y = convWrapper(x, w, up, {pyt, pxt}, groups, true, !flipWeight);
        y = upfirdn2d(y, filter, 1, 1, {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt}, static_cast<double>(up * up));
        if (down > 1)
            y = upfirdn2d(y, filter, 1, down);
        return addBias(y, bias);
    }
    // No resampling: symmetric padding is handled by conv2d itself.
    if (px0 == px1 && py0 == py1 && px0 >= 0 && py0 >= 0)
        return convWrapper(x, weight, 1, {py0, px0}, groups, false, flipWeight, bias);
    auto y = upfirdn2d(x, torch::ones({1, 1}, x.options()), 1, 1, {px0, px1, py0, py1});
    return convWrapper(y, weight, 1, {0, 0}, groups, false, flipWeight, bias);
}

} // namespace dermgan::nets
