#include "explain/projection_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"
#include "io/npy.h"
#include "io/zip_archive.h"

namespace dermgan::explain {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "dermgan-projection-calibration";
constexpr int kVersion = 1;
const char* const kDistanceNames[] = {"rmse", "ssim", "perceptual", "feature_cosine"};

double valueOf(const ImageDistances& d, const std::string& name)
{
    return name == "rmse" ? d.rmse : name == "ssim" ? d.ssim : name == "perceptual" ? d.perceptual : d.featureCosine;
}

torch::Tensor toTensor(const std::vector<double>& values)
{
    return torch::tensor(values, torch::kFloat64);
}

std::vector<double> toVector(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat64).contiguous().view({-1});
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

double median(std::vector<double> values)
{
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace

std::string trivialImageReason(const cv::Mat& rgb)
{
    if (rgb.cols < 32 || rgb.rows < 32)
        return "the image is " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
               " pixels, too small to be a dermoscopic photograph (at least 32x32 expected)";
    cv::Scalar mean, deviation;  // per channel: a flat colour is constant in each
    cv::meanStdDev(rgb, mean, deviation);
    const double largest = std::max({deviation[0], deviation[1], deviation[2]});
    if (largest < 2.0) {
        char text[64];
        std::snprintf(text, sizeof text, "%.2f", largest);
        return std::string("the image is almost constant (standard deviation ") + text +
               " grey levels): not a photograph of a lesion";
    }
    return {};
}

FeatureNovelty FeatureNovelty::fit(const torch::Tensor& features, double shrinkage)
{
    if (features.dim() != 2 || features.size(0) < 2)
        throw InputError("the novelty statistics need features of at least 2 images");
    const auto x = features.to(torch::kFloat64);
    FeatureNovelty novelty;
    novelty.mean = x.mean(0);
    const auto centred = x - novelty.mean;
    const auto covariance = centred.t().matmul(centred) / static_cast<double>(x.size(0) - 1);
    const double meanVariance = covariance.diagonal().mean().item<double>();
    const auto shrunk = (1.0 - shrinkage) * covariance +
                        shrinkage * std::max(meanVariance, 1e-12) * torch::eye(x.size(1), torch::kFloat64);
    novelty.precision = torch::inverse(shrunk);
    return novelty;
}

std::vector<double> FeatureNovelty::distances(const torch::Tensor& features) const
{
    const auto centred = features.to(torch::kFloat64).reshape({-1, mean.size(0)}) - mean;
    const auto squared = (centred.matmul(precision) * centred).sum(1).clamp_min(0.0);
    return toVector(squared.sqrt());
}

double percentileOf(std::vector<double> sample, double value)
{
    if (sample.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const auto atOrBelow = std::count_if(sample.begin(), sample.end(), [&](double v) { return v <= value; });
    return 100.0 * static_cast<double>(atOrBelow) / static_cast<double>(sample.size());
}

void addHeldOutProjection(ProjectionCalibration& calibration, const ImageDistances& distances)
{
    for (const char* name : kDistanceNames)
        calibration.heldOutDistances[name].push_back(valueOf(distances, name));
}

CalibratedReading readCalibrated(const ProjectionCalibration& calibration, const torch::Tensor& features,
                                 const ImageDistances& distances)
{
    CalibratedReading reading;
    reading.novelty = calibration.novelty.distances(features).front();
    reading.noveltyPercentile = percentileOf(calibration.heldOutNovelty, reading.novelty);
    reading.outOfDistribution = reading.noveltyPercentile > kOutOfDistributionPercentile ||
                                reading.novelty > *std::max_element(calibration.heldOutNovelty.begin(),
                                                                    calibration.heldOutNovelty.end());
    if (reading.outOfDistribution)
        return reading;  // never ranked: no percentile that a reader could take for closeness
    for (const auto& [name, sample] : calibration.heldOutDistances) {
        if (sample.empty())
            continue;
        const double value = valueOf(distances, name);
        // Share of held-out lesions this projection is at least as close as (SSIM: higher is closer).
        // A plain bool, because C++17 lambdas may not capture a structured binding (clang rejects it).
        const bool higherIsCloser = name == "ssim";
        const auto asFar = std::count_if(sample.begin(), sample.end(), [higherIsCloser, value](double v) {
            return higherIsCloser ? v <= value : v >= value;
        });
        reading.percentiles[name] = 100.0 * static_cast<double>(asFar) / static_cast<double>(sample.size());
    }
    return reading;
}

std::string describe(const CalibratedReading& reading)
{
    std::ostringstream text;
    text.precision(0);
    text << std::fixed;
    if (reading.outOfDistribution) {
        text << "OUT OF DISTRIBUTION: its derm features lie farther from the training lesions than "
             << std::min(reading.noveltyPercentile, 100.0)
             << "% of held-out real lesions; not a dermoscopic lesion like those the model knows, so its distances are not ranked";
        return text.str();
    }
    const auto at = [&](const char* name) {
        const auto found = reading.percentiles.find(name);
        return found == reading.percentiles.end() ? -1.0 : found->second;
    };
    text << "projected as close as or closer than " << at("perceptual") << "% of held-out real lesions (perceptual), "
         << at("ssim") << "% (SSIM); its derm features are more unusual than those of " << reading.noveltyPercentile
         << "% of held-out lesions";
    return text.str();
}

fs::path calibrationPathFor(const fs::path& model)
{
    fs::path path = model;
    return path.replace_extension(".calibration.json");
}

void writeCalibration(const fs::path& json, const ProjectionCalibration& c)
{
    fs::path arrays = json;
    arrays.replace_extension(".npz");  // x.calibration.json -> x.calibration.npz
    std::vector<std::pair<std::string, torch::Tensor>> members{
        {"feature_mean", c.novelty.mean.contiguous()},
        {"feature_precision", c.novelty.precision.contiguous()},
        {"heldout_novelty", toTensor(c.heldOutNovelty)}};
    nlohmann::json summary = nlohmann::json::object();
    for (const char* name : kDistanceNames) {
        const auto found = c.heldOutDistances.find(name);
        const std::vector<double> values = found == c.heldOutDistances.end() ? std::vector<double>{} : found->second;
        members.emplace_back(std::string("heldout_") + name, toTensor(values));
        summary[name] = {{"median", median(values)}, {"count", values.size()}};
    }
    summary["novelty"] = {{"median", median(c.heldOutNovelty)}, {"count", c.heldOutNovelty.size()}};
    writeNpz(arrays, members);
    const nlohmann::json meta = {{"format", kFormat}, {"version", kVersion}, {"model_hash", c.modelHash},
                                 {"extractor", c.extractor}, {"extractor_hash", c.extractorHash},
                                 {"dataset", c.dataset}, {"subset", c.subset}, {"split_seed", c.splitSeed},
                                 {"space", c.space}, {"steps", c.steps}, {"arrays", arrays.filename().string()},
                                 {"out_of_distribution_percentile", kOutOfDistributionPercentile},
                                 {"held_out", summary}, {"command", c.command}};
    writeTextFileAtomically(json, meta.dump(2) + "\n");
}

ProjectionCalibration readCalibration(const fs::path& json, const std::string& expectedModelHash)
{
    return readingFile(json, "a projection calibration (dermgan project --calibrate)", [&] {
        std::ifstream in(json);
        if (!in)
            throw InputError("cannot be read");
        const auto meta = nlohmann::json::parse(in);
        if (!meta.is_object() || meta.value("format", "") != kFormat)
            throw InputError("not a projection calibration");
        if (meta.value("version", 0) > kVersion)
            throw InputError("made by a newer dermgan (version " + std::to_string(meta.value("version", 0)) + "); upgrade dermgan");
        ProjectionCalibration c;
        c.modelHash = meta.at("model_hash").get<std::string>();
        if (!expectedModelHash.empty() && c.modelHash != expectedModelHash)
            throw InputError("made for model " + c.modelHash + ", not " + expectedModelHash);
        c.extractor = meta.at("extractor").get<std::string>();
        c.extractorHash = meta.at("extractor_hash").get<std::string>();
        c.dataset = meta.at("dataset").get<std::string>();
        c.subset = meta.at("subset").get<std::string>();
        c.splitSeed = meta.at("split_seed").get<std::uint64_t>();
        c.space = meta.at("space").get<std::string>();
        c.steps = meta.at("steps").get<int>();
        c.command = meta.value("command", "");
        const fs::path arrays = json.parent_path() / meta.at("arrays").get<std::string>();
        const ZipArchive archive(arrays);
        const auto member = [&](const std::string& name) { return parseNpy(archive.read(name + ".npy"), arrays.string() + ":" + name); };
        c.novelty.mean = member("feature_mean").to(torch::kFloat64);
        c.novelty.precision = member("feature_precision").to(torch::kFloat64);
        const int64_t d = c.novelty.mean.numel();
        if (c.novelty.mean.dim() != 1 || c.novelty.precision.sizes() != torch::IntArrayRef({d, d}))
            throw InputError("its feature statistics have mismatched shapes");
        c.heldOutNovelty = toVector(member("heldout_novelty"));
        if (c.heldOutNovelty.empty())
            throw InputError("it holds no held-out lesions");
        for (const char* name : kDistanceNames)
            c.heldOutDistances[name] = toVector(member(std::string("heldout_") + name));
        return c;
    });
}

std::optional<ProjectionCalibration> findCalibration(const fs::path& model, const std::string& modelHash)
{
    const auto path = calibrationPathFor(model);
    if (!fs::exists(path))
        return std::nullopt;
    return readCalibration(path, modelHash);
}

} // namespace dermgan::explain
