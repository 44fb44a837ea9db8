#include "train/augment_pipe.h"

#include <cmath>

#include <ATen/record_function.h>
#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::train {

namespace F = torch::nn::functional;

AugmentSpec AugmentSpec::fromString(const std::string& groups)
{
    AugmentSpec spec;
    if (groups == "none") {
        spec.blit = spec.geometric = spec.color = false;
        return spec;
    }
    for (char c : groups)
        if (c != 'b' && c != 'g' && c != 'c')
            throw InputError("augmentation '" + groups + "' is not known; expected letters of 'bgc' (blit, geometric, "
                             "colour) or 'none'");
    spec.blit = groups.find('b') != std::string::npos;
    spec.geometric = groups.find('g') != std::string::npos;
    spec.color = groups.find('c') != std::string::npos;
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
        auto shift = gate((torch::rand({n, 2}, o) * 2 - 1) * spec.xintMax, p, 0.0);
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
        const auto frac = gate(torch::randn({n, 2}, o) * spec.xfracStd, p, 0.0) * 2.0;
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

// Bilinear resampling with reflection padding, written with gather so that it is twice differentiable:
// R1 needs the gradient of a gradient through the augmentation, which LibTorch's grid_sample lacks.
torch::Tensor bilinearSample(const torch::Tensor& x, const torch::Tensor& grid)
{
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const auto ix = reflectCoordinates(((grid.select(3, 0) + 1) * w - 1) / 2, w).reshape({n, 1, -1});
    const auto iy = reflectCoordinates(((grid.select(3, 1) + 1) * h - 1) / 2, h).reshape({n, 1, -1});
    const auto x0 = ix.floor(), y0 = iy.floor();
    const auto wx = ix - x0, wy = iy - y0;
    const auto x0i = x0.to(torch::kLong), y0i = y0.to(torch::kLong);
    const auto x1i = (x0i + 1).clamp_max(w - 1), y1i = (y0i + 1).clamp_max(h - 1);
    const auto flat = x.reshape({n, c, h * w});
    auto corner = [&](const torch::Tensor& yi, const torch::Tensor& xi) {
        return flat.gather(2, (yi * w + xi).expand({n, c, -1}));
    };
    const auto out = corner(y0i, x0i) * ((1 - wx) * (1 - wy)) + corner(y0i, x1i) * (wx * (1 - wy)) +
                     corner(y1i, x0i) * ((1 - wx) * wy) + corner(y1i, x1i) * (wx * wy);
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

} // namespace

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
        const auto grid = affineGrid(g.narrow(1, 0, 2), images.size(2), images.size(3));
        x = bilinearSample(x, grid);
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
