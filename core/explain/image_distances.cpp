#include "explain/image_distances.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

namespace dermgan::explain {

namespace F = torch::nn::functional;

double psnr(const torch::Tensor& a, const torch::Tensor& b)
{
    const double mse = ((a - b) / 2).square().mean().item<double>();  // on 0-1
    return mse > 0 ? 10 * std::log10(1.0 / mse) : 99.0;
}

double ssim(const torch::Tensor& a, const torch::Tensor& b)
{
    const auto x = ((a + 1) / 2).to(torch::kFloat64).unsqueeze(1);  // [3, 1, R, R] on 0-1
    const auto y = ((b + 1) / 2).to(torch::kFloat64).unsqueeze(1);
    const int size = static_cast<int>(std::min<int64_t>(11, x.size(-1)));
    auto g = torch::arange(size, torch::kFloat64) - (size - 1) / 2.0;
    g = torch::exp(-g.square() / (2 * 1.5 * 1.5));
    g = g / g.sum();
    const auto window = torch::outer(g, g).view({1, 1, size, size});
    const auto blur = [&](const torch::Tensor& t) { return F::conv2d(t, window); };
    const auto mx = blur(x), my = blur(y);
    const auto sxx = blur(x * x) - mx * mx, syy = blur(y * y) - my * my, sxy = blur(x * y) - mx * my;
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const auto map = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
    return map.mean().item<double>();
}

nlohmann::json toJson(const ImageDistances& d)
{
    return {{"rmse_255", d.rmse}, {"psnr_db", d.psnr}, {"ssim", d.ssim}, {"perceptual", d.perceptual},
            {"feature_cosine_distance", d.featureCosine}};
}

DistanceSummary summarise(const std::vector<ImageDistances>& distances)
{
    DistanceSummary s;
    s.count = static_cast<int>(distances.size());
    if (distances.empty())
        return s;
    const auto field = [&](double ImageDistances::*member, double& mean, double& median) {
        std::vector<double> v;
        for (const auto& d : distances)
            v.push_back(d.*member);
        double sum = 0;
        for (double x : v)
            sum += x;
        mean = sum / static_cast<double>(v.size());
        std::sort(v.begin(), v.end());
        median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    };
    field(&ImageDistances::rmse, s.mean.rmse, s.median.rmse);
    field(&ImageDistances::psnr, s.mean.psnr, s.median.psnr);
    field(&ImageDistances::ssim, s.mean.ssim, s.median.ssim);
    field(&ImageDistances::perceptual, s.mean.perceptual, s.median.perceptual);
    field(&ImageDistances::featureCosine, s.mean.featureCosine, s.median.featureCosine);
    return s;
}

nlohmann::json toJson(const DistanceSummary& s)
{
    return {{"count", s.count}, {"mean", toJson(s.mean)}, {"median", toJson(s.median)}};
}

} // namespace dermgan::explain
