#include "train/augment_pipe.h"

#include <cmath>

#include <ATen/record_function.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "model/training_config.h"

namespace dermgan::train {

namespace F = torch::nn::functional;

AugmentSpec AugmentSpec::fromString(const std::string& groups)
{
    const auto on = parseAugmentGroups(groups);
    AugmentSpec spec;
    spec.blit = on.blit;
    spec.geometric = on.geometric;
    spec.color = on.color;
    return spec;
}

std::string AugmentSpec::toString() const
{
    std::string text = std::string(blit ? "b" : "") + (geometric ? "g" : "") + (color ? "c" : "");
    return text.empty() ? "none" : text;
}

namespace {

// Per-image random draws, zeroed (or set to `identity`) where the op is skipped with probability 1 - p.
torch::Tensor gate(const torch::Tensor& value, double p, double identity)
{
    const auto apply = torch::rand(value.sizes(), value.options()) < p;
    return torch::where(apply, value, torch::full_like(value, identity));
}

// One draw per image for a multi-component value (a 2-D translation): the whole row is kept or zeroed, as
// the reference gates a translation once, not once per axis (which would apply it with probability 1-(1-p)^2).
torch::Tensor gateRows(const torch::Tensor& value, double p)
{
    const auto apply = torch::rand({value.size(0), 1}, value.options()) < p;
    return torch::where(apply, value, torch::zeros_like(value));
}

torch::Tensor eye3(int64_t n, const torch::TensorOptions& o) { return torch::eye(3, o).unsqueeze(0).repeat({n, 1, 1}); }

torch::Tensor translate2d(const torch::Tensor& tx, const torch::Tensor& ty)
{
    auto m = eye3(tx.size(0), tx.options());
    m.select(2, 2).select(1, 0).copy_(tx);
    m.select(2, 2).select(1, 1).copy_(ty);
    return m;
}

torch::Tensor scale2d(const torch::Tensor& sx, const torch::Tensor& sy)
{
    auto m = eye3(sx.size(0), sx.options());
    m.select(2, 0).select(1, 0).copy_(sx);
    m.select(2, 1).select(1, 1).copy_(sy);
    return m;
}

torch::Tensor rotate2d(const torch::Tensor& theta)
{
    auto m = eye3(theta.size(0), theta.options());
    const auto c = theta.cos(), s = theta.sin();
    m.select(2, 0).select(1, 0).copy_(c);
    m.select(2, 1).select(1, 0).copy_(-s);
    m.select(2, 0).select(1, 1).copy_(s);
    m.select(2, 1).select(1, 1).copy_(c);
    return m;
}

torch::Tensor geometricMatrix(int64_t n, double p, const AugmentSpec& spec, const torch::TensorOptions& o, int size)
{
    // Maps output coordinates to input coordinates (normalised to [-1, 1]), as affine_grid expects.
    auto g = eye3(n, o);
    if (spec.blit) {
        const auto flip = gate(torch::randint(0, 2, {n}, o), p, 0.0);
        g = g.bmm(scale2d(1 - 2 * flip, torch::ones({n}, o)));
        const auto quarter = gate(torch::randint(0, 4, {n}, o), p, 0.0);
        g = g.bmm(rotate2d(quarter * (M_PI / 2)));
        auto shift = gateRows((torch::rand({n, 2}, o) * 2 - 1) * spec.xintMax, p);
        shift = (shift * size).round() * (2.0 / size);  // whole pixels
        g = g.bmm(translate2d(shift.select(1, 0), shift.select(1, 1)));
    }
    if (spec.geometric) {
        const double pRotate = 1 - std::sqrt(std::max(1 - p, 0.0));  // two rotations: total probability p
        const auto scale = torch::exp2(gate(torch::randn({n}, o) * spec.scaleStd, p, 0.0));
        g = g.bmm(scale2d(scale, scale));
        g = g.bmm(rotate2d(gate((torch::rand({n}, o) * 2 - 1) * M_PI * spec.rotateMax, pRotate, 0.0)));
        const auto aniso = torch::exp2(gate(torch::randn({n}, o) * spec.anisoStd, p, 0.0));
        g = g.bmm(scale2d(aniso, 1 / aniso));
        g = g.bmm(rotate2d(gate((torch::rand({n}, o) * 2 - 1) * M_PI * spec.rotateMax, pRotate, 0.0)));
        const auto frac = gateRows(torch::randn({n, 2}, o) * spec.xfracStd, p) * 2.0;
        g = g.bmm(translate2d(frac.select(1, 0), frac.select(1, 1)));
    }
    return g;
}

torch::Tensor colorMatrix(int64_t n, double p, const AugmentSpec& spec, const torch::TensorOptions& o)
{
    const auto luma = torch::tensor({1.0, 1.0, 1.0, 0.0}, o) / std::sqrt(3.0);
    const auto outer = torch::outer(luma, luma).unsqueeze(0);  // [1, 4, 4]
    const auto identity = torch::eye(4, o).unsqueeze(0);
    auto c = identity.repeat({n, 1, 1});
    auto perImage = [](const torch::Tensor& v) { return v.view({-1, 1, 1}); };

    auto brightness = identity.repeat({n, 1, 1});
    const auto b = gate(torch::randn({n}, o) * spec.brightnessStd, p, 0.0);
    for (int i = 0; i < 3; ++i)
        brightness.select(1, i).select(1, 3).copy_(b);
    c = brightness.bmm(c);

    const auto contrast = torch::exp2(gate(torch::randn({n}, o) * spec.contrastStd, p, 0.0));
    auto scale = identity.repeat({n, 1, 1});
    for (int i = 0; i < 3; ++i)
        scale.select(1, i).select(1, i).copy_(contrast);
    c = scale.bmm(c);

    const auto flip = gate(torch::randint(0, 2, {n}, o), p, 0.0);
    c = (identity - 2 * outer * perImage(flip)).bmm(c);

    // Hue: rotation about the luma axis (Rodrigues).
    const auto theta = perImage(gate((torch::rand({n}, o) * 2 - 1) * M_PI * spec.hueMax, p, 0.0));
    const double a = 1.0 / std::sqrt(3.0);
    auto cross = torch::zeros({1, 4, 4}, o);
    cross[0][0][1] = -a; cross[0][0][2] = a;
    cross[0][1][0] = a;  cross[0][1][2] = -a;
    cross[0][2][0] = -a; cross[0][2][1] = a;
    const auto lumaOuter3 = outer.clone();
    auto rotation = identity * theta.cos() + cross * theta.sin() + lumaOuter3 * (1 - theta.cos());
    rotation.select(1, 3).select(1, 3).fill_(1.0);
    c = rotation.bmm(c);

    const auto saturation = perImage(torch::exp2(gate(torch::randn({n}, o) * spec.saturationStd, p, 0.0)));
    c = (outer + (identity - outer) * saturation).bmm(c);
    return c;
}

// Pixel coordinate (align_corners = false) reflected about -0.5 and size - 0.5, as grid_sample's
// reflection padding, then clipped into the image.
torch::Tensor reflectCoordinates(const torch::Tensor& coordinate, int64_t size)
{
    const double span = static_cast<double>(size);
    const auto shifted = (coordinate + 0.5).abs();
    const auto flips = torch::floor(shifted / span);
    const auto extra = shifted - flips * span;
    const auto even = torch::remainder(flips, 2.0) == 0;
    const auto reflected = torch::where(even, extra, span - extra) - 0.5;
    return reflected.clamp(0.0, span - 1.0);
}

enum class Outside { Zeros, Reflect };

// Bilinear resampling as grid_sample (align_corners = false), with zeros or reflection outside the image,
// written with gather so that it is twice differentiable: R1 needs the gradient of a gradient through the
// augmentation, which LibTorch 1.13's grid_sample lacks.
torch::Tensor bilinearSample(const torch::Tensor& x, const torch::Tensor& grid, Outside outside)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    auto ix = (((grid.select(3, 0) + 1) * w - 1) / 2).reshape({n, 1, -1});
    auto iy = (((grid.select(3, 1) + 1) * h - 1) / 2).reshape({n, 1, -1});
    if (outside == Outside::Reflect) {
        ix = reflectCoordinates(ix, w);
        iy = reflectCoordinates(iy, h);
    }
    const auto x0 = ix.floor(), y0 = iy.floor();
    const auto wx = ix - x0, wy = iy - y0;
    const auto flat = x.reshape({n, c, h * w});
    // One corner's values, weighted by its bilinear weight; with zeros outside, 0 where it leaves the image.
    // (Reflected coordinates stay inside, so the training step's default path skips the mask.)
    auto corner = [&](const torch::Tensor& yf, const torch::Tensor& xf, const torch::Tensor& weight) {
        const auto index = (yf.clamp(0, h - 1) * w + xf.clamp(0, w - 1)).to(torch::kLong);
        const auto values = flat.gather(2, index.expand({n, c, -1}));
        if (outside == Outside::Reflect)
            return values * weight;
        const auto inside = (xf >= 0) & (xf <= w - 1) & (yf >= 0) & (yf <= h - 1);
        return values * (weight * inside.to(weight.dtype()));
    };
    const auto out = corner(y0, x0, (1 - wx) * (1 - wy)) + corner(y0, x0 + 1, wx * (1 - wy)) +
                     corner(y0 + 1, x0, (1 - wx) * wy) + corner(y0 + 1, x0 + 1, wx * wy);
    return out.reshape({n, c, grid.size(1), grid.size(2)});
}

// affine_grid(theta, [N, C, h, w], align_corners = false) written out: theta applied to each pixel centre.
// affine_grid's batched 3x2 matrix product took 2.4 ms for 32 64x64 grids on 2 CPU threads, these
// broadcast multiply-adds 0.09 ms.
torch::Tensor affineGrid(const torch::Tensor& theta, int64_t h, int64_t w)
{
    const auto xs = ((torch::arange(w, theta.options()) * 2 + 1) / static_cast<double>(w) - 1).view({1, 1, -1});
    const auto ys = ((torch::arange(h, theta.options()) * 2 + 1) / static_cast<double>(h) - 1).view({1, -1, 1});
    auto row = [&](int r) {
        const auto t = theta.select(1, r);
        const auto coefficient = [&](int k) { return t.select(1, k).view({-1, 1, 1}); };
        return coefficient(0) * xs + coefficient(1) * ys + coefficient(2);
    };
    return torch::stack({row(0), row(1)}, 3);
}

// Daubechies' symlet-6 scaling filter, normalised to sum 1: the reference's Hz_geom (augment.py's wavelets).
torch::Tensor sym6Filter(const torch::TensorOptions& o)
{
    const auto taps = torch::tensor(std::vector<double>{0.015404109327027373, 0.0034907120842174702,
        -0.11799011114819057, -0.048311742585633, 0.4910559419267466, 0.787641141030194, 0.3379294217276218,
        -0.07263752278646252, -0.021060292512300564, 0.04472490177066578, 0.0017677118642428036,
        -0.007800708325034148}, o);
    return taps / taps.sum();
}

// One axis of an FIR resampling as a matrix: out = in @ M, M [inLength, outLength]. `up` inserts up - 1
// zeros after each sample, `before`/`after` pad with zeros (negative: crop), then out[i] = sum_t
// v[i * down + t] * kernel[t] (a correlation; pass flipped taps for a convolution). Resampling as matrix
// products is the same arithmetic as the reference's upfirdn2d, but runs at BLAS speed on the CPU, where a
// depthwise 12-tap convolution over a padded batch took 20-30x longer.
torch::Tensor resamplingMatrix(int64_t inLength, const torch::Tensor& kernel, int up, int down, int64_t before, int64_t after)
{
    const auto taps = kernel.to(torch::kFloat64).contiguous();
    const int64_t k = taps.size(0), padded = inLength * up + before + after;
    const int64_t outLength = (padded - k) / down + 1;
    auto matrix = torch::zeros({inLength, outLength}, torch::kFloat64);
    auto m = matrix.accessor<double, 2>();
    const auto f = taps.accessor<double, 1>();
    for (int64_t i = 0; i < outLength; ++i)
        for (int64_t t = 0; t < k; ++t) {
            const int64_t j = i * down + t - before;  // position in the zero-inserted signal
            if (j >= 0 && j < inLength * up && j % up == 0)
                m[j / up][i] += f[t];
        }
    return matrix.to(kernel.options());
}

// Applies one resampling matrix along the width and its counterpart along the height. [N, C, H, W] ->
// [N, C, H', W'].
torch::Tensor resampleBothAxes(const torch::Tensor& x, const torch::Tensor& alongWidth, const torch::Tensor& alongHeight)
{
    return torch::matmul(alongHeight.t(), torch::matmul(x, alongWidth));
}

// upsample2d(x, f, up=2) of the reference for a separable filter (zero insertion, convolution with gain 2
// per axis, padding (taps + 1) / 2 before and (taps - 2) / 2 after). [N, C, H, W] -> [N, C, 2H, 2W].
torch::Tensor upsampleSeparable(const torch::Tensor& x, const torch::Tensor& taps)
{
    const int64_t k = taps.size(0);
    const auto kernel = taps.flip(0) * 2;
    return resampleBothAxes(x, resamplingMatrix(x.size(3), kernel, 2, 1, (k + 1) / 2, (k - 2) / 2),
                            resamplingMatrix(x.size(2), kernel, 2, 1, (k + 1) / 2, (k - 2) / 2));
}

// downsample2d(x, f, down=2, padding=-crop, flip_filter=True) of the reference: crop, correlate with the
// filter, keep every second sample. [N, C, H, W] -> [N, C, (H - 2 crop) / 2, (W - 2 crop) / 2].
torch::Tensor downsampleSeparable(const torch::Tensor& x, const torch::Tensor& taps, int64_t crop)
{
    const int64_t k = taps.size(0);
    const int64_t before = (k - 1) / 2 - crop, after = (k - 2) / 2 - crop;  // negative: a crop
    return resampleBothAxes(x, resamplingMatrix(x.size(3), taps, 1, 2, before, after),
                            resamplingMatrix(x.size(2), taps, 1, 2, before, after));
}

// The reference's geometric execution (training/augment.py): reflect-pad by the margin the transforms need,
// upsample 2x with the sym6 wavelet, resample bilinearly at the doubled resolution, downsample 2x with sym6
// and crop. Resampling at twice the resolution keeps a fractional shift from blurring the image the way a
// single bilinear resampling does (a half-pixel shift averages neighbours: cos(pi f) of amplitude at f
// cycles/pixel), so D sees augmented reals and fakes with their fine texture intact.
} // namespace

torch::Tensor resampleAffine(const torch::Tensor& x, const torch::Tensor& g)
{
    const int64_t h = x.size(2), w = x.size(3);
    const auto o = g.options();
    const auto constant = [&](std::initializer_list<double> values) {
        return torch::tensor(std::vector<double>(values), o).view({3, 3});
    };
    const auto translate = [&](double tx, double ty) { return constant({1, 0, tx, 0, 1, ty, 0, 0, 1}); };
    const auto scale = [&](double sx, double sy) { return constant({sx, 0, 0, 0, sy, 0, 0, 0, 1}); };
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;

    // The reference's frame: pixel units, origin at the image centre.
    auto G = scale(w / 2.0, h / 2.0).matmul(g).matmul(scale(2.0 / w, 2.0 / h));

    // Padding: where the output's corners come from, plus the filter's reach.
    const auto filter = sym6Filter(o);
    const int hzPad = static_cast<int>(filter.size(0)) / 4;
    const auto corners = torch::tensor(std::vector<double>{-cx, cx, cx, -cx, -cy, -cy, cy, cy, 1, 1, 1, 1}, o).view({3, 4});
    const auto reach = G.matmul(corners).narrow(1, 0, 2).permute({1, 0, 2}).flatten(1);  // [xy, N * 4]
    auto margin = torch::cat({-reach, reach}).amax(1) +
                  torch::tensor(std::vector<double>{hzPad * 2 - cx, hzPad * 2 - cy, hzPad * 2 - cx, hzPad * 2 - cy}, o);
    margin = torch::minimum(margin.clamp_min(0), torch::tensor(std::vector<double>{double(w - 1), double(h - 1),
                                                                                   double(w - 1), double(h - 1)}, o));
    const auto m = margin.ceil().to(torch::kLong);
    const int64_t mx0 = m[0].item<int64_t>(), my0 = m[1].item<int64_t>(), mx1 = m[2].item<int64_t>(), my1 = m[3].item<int64_t>();

    auto y = F::pad(x, F::PadFuncOptions({mx0, mx1, my0, my1}).mode(torch::kReflect));
    G = translate((mx0 - mx1) / 2.0, (my0 - my1) / 2.0).matmul(G);

    y = upsampleSeparable(y, filter);
    G = scale(2, 2).matmul(G).matmul(scale(0.5, 0.5));
    G = translate(-0.5, -0.5).matmul(G).matmul(translate(0.5, 0.5));

    const int64_t outH = (h + hzPad * 2) * 2, outW = (w + hzPad * 2) * 2;
    G = scale(2.0 / y.size(3), 2.0 / y.size(2)).matmul(G).matmul(scale(outW / 2.0, outH / 2.0));
    y = bilinearSample(y, affineGrid(G.narrow(1, 0, 2), outH, outW), Outside::Zeros);

    return downsampleSeparable(y, filter, hzPad * 2);
}

torch::Tensor augment(const torch::Tensor& images, double p, const AugmentSpec& spec)
{
    if (p <= 0.0 || !(spec.blit || spec.geometric || spec.color))
        return images;
    RECORD_FUNCTION("dermgan::augment", std::vector<c10::IValue>());
    const int64_t n = images.size(0);
    const auto options = images.options().requires_grad(false);
    auto x = images;
    if (spec.blit || spec.geometric) {
        const auto g = geometricMatrix(n, p, spec, options, static_cast<int>(images.size(3)));
        x = spec.waveletResampling
                ? resampleAffine(x, g)
                : bilinearSample(x, affineGrid(g.narrow(1, 0, 2), images.size(2), images.size(3)), Outside::Reflect);
    }
    if (spec.color && images.size(1) == 3) {
        const auto c = colorMatrix(n, p, spec, options);
        const auto flat = x.reshape({n, 3, -1});
        x = (c.narrow(1, 0, 3).narrow(2, 0, 3).bmm(flat) + c.narrow(1, 0, 3).narrow(2, 3, 1)).reshape(images.sizes());
    }
    return x;
}

bool AdaController::accumulate(double signSum, int64_t count, int batchSize)
{
    pendingSignSum += signSum;
    pendingCount += count;
    if (++pendingSteps < interval_)
        return false;
    lastSignMean = pendingCount > 0 ? pendingSignSum / static_cast<double>(pendingCount) : 0.0;
    const double direction = lastSignMean > target_ ? 1.0 : lastSignMean < target_ ? -1.0 : 0.0;
    p = std::clamp(p + direction * batchSize * interval_ / (adjustKimg_ * 1000.0), 0.0, 1.0);
    pendingSignSum = 0.0;
    pendingCount = 0;
    pendingSteps = 0;
    return true;
}

} // namespace dermgan::train
