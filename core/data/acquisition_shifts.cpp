#include "data/acquisition_shifts.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"

namespace dermgan {

namespace F = torch::nn::functional;

namespace {

// [-1, 1] <-> [0, 1] intensities, where gains and gammas have their photographic meaning.
torch::Tensor toUnit(const torch::Tensor& image) { return ((image + 1.0) * 0.5).clamp(0.0, 1.0); }
torch::Tensor fromUnit(const torch::Tensor& unit) { return unit.clamp(0.0, 1.0) * 2.0 - 1.0; }

void requireImage(const torch::Tensor& image, const char* what)
{
    if (image.dim() != 3 || image.size(0) != 3 || image.size(1) != image.size(2) || image.size(1) < 8)
        throw InputError(std::string(what) + " needs one square RGB image [3, R, R] with R >= 8");
}

double uniformIn(Rng& rng, double low, double high) { return low + (high - low) * uniform01(rng); }

torch::Tensor resizeTo(const torch::Tensor& image, int64_t size, bool shrinking)
{
    const auto batch = image.unsqueeze(0);
    const auto out = shrinking ? F::adaptive_avg_pool2d(batch, F::AdaptiveAvgPool2dFuncOptions({size, size}))
                               : F::interpolate(batch, F::InterpolateFuncOptions()
                                                           .size(std::vector<int64_t>{size, size})
                                                           .mode(torch::kBilinear)
                                                           .align_corners(false));
    return out.squeeze(0);
}

// uint8 HxWx3 RGB <-> float [3, R, R] in [-1, 1], through the image store's conversions.
cv::Mat toMat(const torch::Tensor& image)
{
    const auto bytes = toPixels(image.detach()).permute({1, 2, 0}).contiguous();
    return cv::Mat(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC3, bytes.data_ptr()).clone();
}

torch::Tensor fromMat(const cv::Mat& rgb)
{
    return toModelRange(torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}));
}

} // namespace

torch::Tensor shiftColourTemperature(const torch::Tensor& image, double shift)
{
    requireImage(image, "a colour-temperature shift");
    const auto gains = torch::tensor({1.0 + 0.5 * shift, 1.0, 1.0 - 0.5 * shift}, image.options()).view({3, 1, 1});
    return fromUnit(toUnit(image) * gains);
}

torch::Tensor shiftIllumination(const torch::Tensor& image, double gain, double gamma)
{
    requireImage(image, "an illumination shift");
    return fromUnit(toUnit(image).pow(gamma) * gain);
}

torch::Tensor zoomOut(const torch::Tensor& image, double scale, double vignette)
{
    requireImage(image, "a zoom-out");
    if (!(scale > 0.0 && scale <= 1.0))
        throw InputError("zoom-out scale " + std::to_string(scale) + " is outside (0, 1]");
    const int64_t side = image.size(1);
    const int64_t inner = std::max<int64_t>(4, static_cast<int64_t>(std::lround(scale * static_cast<double>(side))));
    auto out = image;
    if (inner < side) {
        // The surround is skin: the mean colour of the image's outer ring (1/16 of the side). Mirroring the image
        // instead would copy a large lesion into the surround.
        const int64_t ring = std::max<int64_t>(1, side / 16);
        const auto border = torch::cat({image.narrow(1, 0, ring).flatten(1), image.narrow(1, side - ring, ring).flatten(1),
                                        image.narrow(2, 0, ring).flatten(1), image.narrow(2, side - ring, ring).flatten(1)},
                                       1);
        out = border.mean(1).view({3, 1, 1}).expand({3, side, side}).clone();
        // A soft seam (1/12 of the inner side) so that no square edge shows where the border's colour differs.
        const auto index = torch::arange(inner, image.options());
        const auto edge = torch::minimum(index + 0.5, static_cast<double>(inner) - index - 0.5);
        const double ramp = std::max(1.0, static_cast<double>(inner) / 12.0);
        const auto weight = torch::minimum(edge.view({inner, 1}), edge.view({1, inner})).div(ramp).clamp(0.0, 1.0);
        const int64_t offset = (side - inner) / 2;
        auto centre = out.narrow(1, offset, inner).narrow(2, offset, inner);
        centre.copy_(centre * (1.0 - weight) + resizeTo(image, inner, true) * weight);
    }
    if (vignette <= 0)
        return out.clone();
    const auto coords = (torch::arange(side, image.options()) + 0.5) / static_cast<double>(side) - 0.5;
    const auto radius = torch::sqrt(coords.view({side, 1}).pow(2) + coords.view({1, side}).pow(2));
    // Full brightness inside the field, a soft edge 8% of the side wide, then 3% of the light.
    const auto mask = (1.0 - (radius - vignette) / 0.08).clamp(0.03, 1.0);
    return fromUnit(toUnit(out) * mask);
}

torch::Tensor lowerResolution(const torch::Tensor& image, double factor)
{
    requireImage(image, "a lower resolution");
    if (!(factor > 1.0))
        throw InputError("a lower resolution needs a factor above 1; got " + std::to_string(factor));
    const int64_t side = image.size(1);
    const int64_t small = std::max<int64_t>(2, static_cast<int64_t>(std::lround(static_cast<double>(side) / factor)));
    return resizeTo(resizeTo(image, small, true), side, false).clamp(-1.0, 1.0);
}

torch::Tensor recompressJpeg(const torch::Tensor& image, int quality)
{
    requireImage(image, "JPEG re-compression");
    if (quality < 1 || quality > 100)
        throw InputError("JPEG quality " + std::to_string(quality) + " is outside 1..100");
    cv::Mat bgr;
    cv::cvtColor(toMat(image), bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> encoded;
    cv::imencode(".jpg", bgr, encoded, {cv::IMWRITE_JPEG_QUALITY, quality});
    cv::Mat rgb;
    cv::cvtColor(cv::imdecode(encoded, cv::IMREAD_COLOR), rgb, cv::COLOR_BGR2RGB);
    return fromMat(rgb).to(image.options());
}

torch::Tensor drawHairs(const torch::Tensor& image, int count, Rng& rng)
{
    requireImage(image, "hairs");
    if (count <= 0)
        return image.clone();
    const int side = static_cast<int>(image.size(1));
    cv::Mat mask(side, side, CV_8UC1, cv::Scalar(0));
    const int thickness = std::max(1, static_cast<int>(std::lround(side / 64.0)));
    for (int h = 0; h < count; ++h) {
        // A hair enters at one random border point and leaves at another, bending through a random point.
        const auto borderPoint = [&] {
            const double t = uniformIn(rng, 0, side), edge = static_cast<double>(uniformBelow(rng, 4));
            if (edge == 0) return cv::Point2d(t, 0);
            if (edge == 1) return cv::Point2d(t, side - 1);
            if (edge == 2) return cv::Point2d(0, t);
            return cv::Point2d(side - 1, t);
        };
        const cv::Point2d a = borderPoint(), b = borderPoint();
        const cv::Point2d c(uniformIn(rng, 0, side), uniformIn(rng, 0, side));
        std::vector<cv::Point> curve;
        for (int k = 0; k <= 32; ++k) {
            const double t = k / 32.0;
            const cv::Point2d p = (1 - t) * (1 - t) * a + 2 * (1 - t) * t * c + t * t * b;
            curve.emplace_back(static_cast<int>(std::lround(p.x * 16)), static_cast<int>(std::lround(p.y * 16)));
        }
        // Sub-pixel coordinates (4 fractional bits) and anti-aliasing keep thin hairs from looking jagged.
        cv::polylines(mask, curve, false, cv::Scalar(255), thickness, cv::LINE_AA, 4);
    }
    const auto alpha = torch::from_blob(mask.data, {1, side, side}, torch::kUInt8).to(image.options()) / 255.0 * 0.9;
    const auto hairColour = torch::tensor({0.16, 0.10, 0.07}, image.options()).view({3, 1, 1});
    return fromUnit(toUnit(image) * (1.0 - alpha) + hairColour * alpha);
}

torch::Tensor randomAcquisition(const torch::Tensor& image, Rng& rng)
{
    // Probabilities and ranges: each shift alone is common in dermoscopy archives; several together are rarer.
    auto x = image;
    if (uniform01(rng) < 0.3)
        x = zoomOut(x, uniformIn(rng, 0.55, 0.95), uniform01(rng) < 0.7 ? uniformIn(rng, 0.42, 0.56) : 0.0);
    if (uniform01(rng) < 0.2)
        x = drawHairs(x, 1 + static_cast<int>(uniformBelow(rng, 6)), rng);
    if (uniform01(rng) < 0.5)
        x = shiftColourTemperature(x, uniformIn(rng, -0.35, 0.35));
    if (uniform01(rng) < 0.5)
        x = shiftIllumination(x, uniformIn(rng, 0.65, 1.2), uniformIn(rng, 0.8, 1.25));
    if (uniform01(rng) < 0.25)
        x = lowerResolution(x, uniformIn(rng, 1.3, 2.5));
    if (uniform01(rng) < 0.15)
        x = recompressJpeg(x, 20 + static_cast<int>(uniformBelow(rng, 71)));
    return x;
}

std::vector<StressTest> stressTests()
{
    return {
        {"warm_light", "warmer illuminant (red gain 1.15, blue gain 0.85)",
         [](const torch::Tensor& x, Rng&) { return shiftColourTemperature(x, 0.3); }},
        {"cool_light", "cooler illuminant (red gain 0.85, blue gain 1.15)",
         [](const torch::Tensor& x, Rng&) { return shiftColourTemperature(x, -0.3); }},
        {"under_exposed", "under-exposed (gain 0.65, gamma 1.2)",
         [](const torch::Tensor& x, Rng&) { return shiftIllumination(x, 0.65, 1.2); }},
        {"over_exposed", "over-exposed (gain 1.2, gamma 0.85)",
         [](const torch::Tensor& x, Rng&) { return shiftIllumination(x, 1.2, 0.85); }},
        {"zoom_out_vignette", "zoomed out to 60% with a round dermatoscope vignette (radius 0.48)",
         [](const torch::Tensor& x, Rng&) { return zoomOut(x, 0.6, 0.48); }},
        {"low_resolution", "half the optical resolution (area down x2, bilinear up)",
         [](const torch::Tensor& x, Rng&) { return lowerResolution(x, 2.0); }},
        {"jpeg_q20", "JPEG re-compression at quality 20",
         [](const torch::Tensor& x, Rng&) { return recompressJpeg(x, 20); }},
        {"hairs", "6 dark hairs across the lesion",
         [](const torch::Tensor& x, Rng& rng) { return drawHairs(x, 6, rng); }},
    };
}

torch::Tensor applyStressTest(const StressTest& test, const torch::Tensor& pixels, std::uint64_t seed)
{
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.scalar_type() != torch::kUInt8)
        throw InputError("stress test " + test.name + " needs uint8 images [N, 3, R, R]");
    auto out = torch::empty_like(pixels);
    for (int64_t i = 0; i < pixels.size(0); ++i) {
        Rng rng(deriveSeed(seed, static_cast<std::uint64_t>(i)));
        out[i] = toPixels(test.apply(toModelRange(pixels[i]), rng));
    }
    return out;
}

} // namespace dermgan
