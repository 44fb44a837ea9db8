#include "metrics/generalisation_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "data/acquisition_shifts.h"
#include "metrics/classification_report.h"
#include "metrics/classifier_training.h"

namespace dermgan::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename T>
std::vector<T> pick(const std::vector<T>& items, const std::vector<int64_t>& rows)
{
    std::vector<T> out;
    out.reserve(rows.size());
    for (int64_t row : rows)
        out.push_back(items[static_cast<std::size_t>(row)]);
    return out;
}

std::string formatAuc(const ScoredCondition& c, const std::string& name)
{
    for (const auto& a : c.aucs)
        if (a.name == name) {
            char text[64];
            std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f]", a.auc, a.interval.low, a.interval.high);
            return text;
        }
    return "-";
}

std::string formatDrop(double drop)
{
    if (std::isnan(drop))
        return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%+.3f", std::abs(drop) < 5e-4 ? 0.0 : -drop);  // never "-0.000"
    return text;
}

std::string row(const ScoredCondition& c, const ScoredCondition* reference)
{
    char line[256];
    const double balancedDrop = reference ? reference->balancedAccuracy - c.balancedAccuracy : kNaN;
    const double aucDrop = reference ? reference->auc("mel_vs_nv") - c.auc("mel_vs_nv") : kNaN;
    std::snprintf(line, sizeof line, "%-22s %6lld  %5.3f  %5.3f %6s  %-22s %6s  %-22s\n", c.name.c_str(),
                  static_cast<long long>(c.images), c.accuracy, c.balancedAccuracy,
                  reference ? formatDrop(balancedDrop).c_str() : "", formatAuc(c, "mel_vs_nv").c_str(),
                  reference ? formatDrop(aucDrop).c_str() : "", formatAuc(c, "mel_vs_rest").c_str());
    return line;
}

const char* kHeader = "condition              images  acc.   bal.acc (diff)  mel_vs_nv AUC [95%]    (diff)  "
                      "mel_vs_rest AUC [95%]\n";

} // namespace

double ScoredCondition::auc(const std::string& aucName) const
{
    for (const auto& a : aucs)
        if (a.name == aucName)
            return a.auc;
    return kNaN;
}

std::pair<double, std::string> GeneralisationReport::worstMelVsNvDrop() const
{
    std::pair<double, std::string> worst{kNaN, ""};
    for (const auto& s : stress) {
        const double drop = unshifted.auc("mel_vs_nv") - s.auc("mel_vs_nv");
        if (!std::isnan(drop) && (std::isnan(worst.first) || drop > worst.first))
            worst = {drop, s.name};
    }
    return worst;
}

ScoredCondition scoreCondition(const std::string& name, const std::string& description,
                               const torch::Tensor& probabilities, const std::vector<int>& labels,
                               const std::vector<std::string>& classNames, std::uint64_t seed)
{
    const auto report = evaluatePredictions(probabilities, labels, classNames);
    ScoredCondition c;
    c.name = name;
    c.description = description;
    c.images = report.count;
    c.accuracy = report.accuracy;
    c.balancedAccuracy = report.balancedAccuracy;
    c.aucs = melanomaAucs(probabilities, labels, classNames, 1000, seed);
    return c;
}

std::vector<ScoredCondition> scoreStressTests(nets::LesionClassifier& model, const torch::Tensor& pixels,
                                              const std::vector<int>& labels, std::uint64_t seed)
{
    std::vector<ScoredCondition> out;
    for (const auto& test : stressTests()) {
        const auto shifted = applyStressTest(test, pixels, seed);
        out.push_back(scoreCondition(test.name, test.description, predictProbabilities(model, shifted), labels,
                                     model->config.classNames, seed));
    }
    return out;
}

SubgroupAttribute scoreSubgroups(const std::string& attribute, const std::vector<std::string>& values,
                                 const torch::Tensor& probabilities, const std::vector<int>& labels,
                                 const std::vector<std::string>& classNames, std::uint64_t seed, int minImages)
{
    if (values.size() != labels.size())
        throw InputError("subgroup attribute " + attribute + " has " + std::to_string(values.size()) +
                         " values for " + std::to_string(labels.size()) + " images");
    std::map<std::string, std::vector<int64_t>> rows;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!values[i].empty())
            rows[values[i]].push_back(static_cast<int64_t>(i));
    std::map<std::string, std::vector<int64_t>> pooled;
    for (auto& [value, members] : rows) {
        auto& target = static_cast<int>(members.size()) < minImages ? pooled["other"] : pooled[value];
        target.insert(target.end(), members.begin(), members.end());
    }
    SubgroupAttribute result;
    result.name = attribute;
    for (auto& [value, members] : pooled) {
        if (static_cast<int>(members.size()) < minImages) {
            result.leftOut += static_cast<int64_t>(members.size());
            continue;
        }
        std::sort(members.begin(), members.end());
        const auto index = torch::tensor(members);
        result.groups.push_back(scoreCondition(value, attribute + " = " + value, probabilities.index_select(0, index),
                                               pick(labels, members), classNames, seed));
    }
    std::stable_sort(result.groups.begin(), result.groups.end(),
                     [](const ScoredCondition& a, const ScoredCondition& b) { return a.images > b.images; });
    return result;
}

std::map<std::string, std::vector<std::string>> framingAttributes(const torch::Tensor& pixels)
{
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.scalar_type() != torch::kUInt8)
        throw InputError("framing statistics need uint8 images [N, 3, R, R]");
    const int side = static_cast<int>(pixels.size(2));
    const int corner = std::max(1, side / 8);
    std::map<std::string, std::vector<std::string>> out;
    auto& framing = out["framing"];
    auto& size = out["lesion_size"];
    const auto grey = pixels.to(torch::kFloat32).mean(1).round().to(torch::kUInt8).contiguous();  // [N, R, R]
    cv::Mat disc(side, side, CV_8UC1, cv::Scalar(0));
    cv::circle(disc, {side / 2, side / 2}, static_cast<int>(0.45 * side), cv::Scalar(255), cv::FILLED);
    for (int64_t i = 0; i < pixels.size(0); ++i) {
        cv::Mat image(side, side, CV_8UC1, grey[i].data_ptr<uint8_t>());
        double corners = 0;
        for (const cv::Point origin : {cv::Point(0, 0), cv::Point(side - corner, 0), cv::Point(0, side - corner),
                                       cv::Point(side - corner, side - corner)})
            corners += cv::mean(image(cv::Rect(origin.x, origin.y, corner, corner)))[0] / 4.0;
        framing.push_back(corners < 50.0 ? "dark corners" : "full field");
        // Otsu's threshold over the central disc only, so that vignette corners do not count as lesion.
        std::vector<uint8_t> inside;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x)
                if (disc.at<uint8_t>(y, x))
                    inside.push_back(image.at<uint8_t>(y, x));
        cv::Mat values(1, static_cast<int>(inside.size()), CV_8UC1, inside.data()), mask;
        const double threshold = cv::threshold(values, mask, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
        const double share = static_cast<double>(std::count_if(inside.begin(), inside.end(),
                                                               [&](uint8_t v) { return v <= threshold; })) /
                             static_cast<double>(inside.size());
        size.push_back(share < 0.15 ? "small" : share <= 0.40 ? "medium" : "large");
    }
    return out;
}

nlohmann::json toJson(const ScoredCondition& c)
{
    return {{"name", c.name},
            {"description", c.description},
            {"images", c.images},
            {"accuracy", c.accuracy},
            {"balanced_accuracy", c.balancedAccuracy},
            {"binary_aucs", toJson(c.aucs)}};
}

nlohmann::json toJson(const GeneralisationReport& report)
{
    nlohmann::json stress = nlohmann::json::array();
    for (const auto& s : report.stress) {
        auto json = toJson(s);
        json["balanced_accuracy_drop"] = report.unshifted.balancedAccuracy - s.balancedAccuracy;
        const double drop = report.unshifted.auc("mel_vs_nv") - s.auc("mel_vs_nv");
        json["mel_vs_nv_drop"] = std::isnan(drop) ? nlohmann::json() : nlohmann::json(drop);
        stress.push_back(json);
    }
    nlohmann::json subgroups = nlohmann::json::object();
    nlohmann::json leftOut = nlohmann::json::object();  // images of groups too small to score, per attribute
    for (const auto& attribute : report.subgroups) {
        auto& groups = subgroups[attribute.name] = nlohmann::json::array();
        for (const auto& g : attribute.groups)
            groups.push_back(toJson(g));
        leftOut[attribute.name] = attribute.leftOut;
    }
    nlohmann::json json = {{"unshifted", toJson(report.unshifted)}, {"stress", stress}, {"subgroups", subgroups},
                           {"subgroup_images_left_out", leftOut}};
    const auto [worst, name] = report.worstMelVsNvDrop();
    if (!name.empty())
        json["worst_mel_vs_nv_drop"] = {{"stress_test", name}, {"drop", worst}};
    return json;
}

std::string toText(const GeneralisationReport& report)
{
    std::string text = "Generalisation: stress tests on the same images (diff = shifted - unshifted)\n";
    text += kHeader;
    text += row(report.unshifted, nullptr);
    for (const auto& s : report.stress)
        text += row(s, &report.unshifted);
    const auto [worst, name] = report.worstMelVsNvDrop();
    if (!name.empty()) {
        char line[160];
        std::snprintf(line, sizeof line, "largest mel_vs_nv AUC drop: %.3f (%s); the goal is at most 0.05\n", worst,
                      name.c_str());
        text += line;
    }
    for (const auto& s : report.stress)
        text += "  " + s.name + ": " + s.description + "\n";
    for (const auto& attribute : report.subgroups) {
        text += "Subgroups by " + attribute.name + " (diff = group - all images)\n" + kHeader;
        for (const auto& g : attribute.groups)
            text += row(g, &report.unshifted);
        if (attribute.leftOut > 0)
            text += "  (" + std::to_string(attribute.leftOut) + " images in groups too small to score left out)\n";
    }
    return text;
}

} // namespace dermgan::metrics
