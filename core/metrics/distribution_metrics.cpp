#include "metrics/distribution_metrics.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "common/errors.h"
#include "metrics/fid.h"
#include "metrics/metric_catalogue.h"

namespace dermgan::metrics {

namespace {

// The computation of each features metric of the catalogue (metric_catalogue.cpp), in its order: what it
// fills in DistributionMetrics, its report keys (named after the embedding by `s` = "_<extractor>") and its
// text. test_metrics checks that every features metric of the catalogue has one.
struct FeatureMetric {
    const char* name;
    void (*compute)(const torch::Tensor& real, const torch::Tensor& generated, const DistributionOptions& options,
                    DistributionMetrics& m);
    void (*toJson)(const DistributionMetrics& m, const std::string& s, nlohmann::json& json);
    std::string (*toText)(const DistributionMetrics& m);
};

// printf into a string; the attribute keeps the compiler's check of format against arguments.
__attribute__((format(printf, 1, 2))) std::string formatted(const char* format, ...)
{
    char buffer[160];
    va_list values;
    va_start(values, format);
    std::vsnprintf(buffer, sizeof buffer, format, values);
    va_end(values);
    return buffer;
}

const FeatureMetric kFeatureMetrics[] = {
    {"fid",
     [](const torch::Tensor& real, const torch::Tensor& generated, const DistributionOptions&, DistributionMetrics& m) {
         m.fid = frechetDistance(gaussianStats(real), gaussianStats(generated));
         m.fidReliable = std::min(real.size(0), generated.size(0)) > real.size(1);
     },
     [](const DistributionMetrics& m, const std::string& s, nlohmann::json& json) {
         json["fid" + s] = m.fid;
         json["fid_reliable"] = m.fidReliable;
     },
     [](const DistributionMetrics& m) {
         return "FID-" + m.extractor +
                formatted(" %.3f%s", m.fid, m.fidReliable ? "" : " (unreliable: fewer images than feature dimensions)");
     }},
    {"kid",
     [](const torch::Tensor& real, const torch::Tensor& generated, const DistributionOptions& options, DistributionMetrics& m) {
         m.kid = kernelDistance(real, generated, options.kid);
     },
     [](const DistributionMetrics& m, const std::string& s, nlohmann::json& json) {
         json["kid" + s] = m.kid.mean;
         json["kid" + s + "_std"] = m.kid.stddev;
         json["kid_subset_size"] = m.kid.subsetSize;
     },
     [](const DistributionMetrics& m) { return "KID-" + m.extractor + formatted(" %.5f ± %.5f", m.kid.mean, m.kid.stddev); }},
    {"pr",
     [](const torch::Tensor& real, const torch::Tensor& generated, const DistributionOptions& options, DistributionMetrics& m) {
         m.pr = precisionRecall(real, generated, options.kPrecisionRecall);
     },
     [](const DistributionMetrics& m, const std::string& s, nlohmann::json& json) {
         json["precision" + s] = m.pr.precision;
         json["recall" + s] = m.pr.recall;
         json["pr_k"] = m.pr.k;
     },
     [](const DistributionMetrics& m) { return formatted("precision %.3f  recall %.3f", m.pr.precision, m.pr.recall); }},
    {"dc",
     [](const torch::Tensor& real, const torch::Tensor& generated, const DistributionOptions& options, DistributionMetrics& m) {
         m.dc = densityCoverage(real, generated, options.kDensityCoverage);
     },
     [](const DistributionMetrics& m, const std::string& s, nlohmann::json& json) {
         json["density" + s] = m.dc.density;
         json["coverage" + s] = m.dc.coverage;
         json["dc_k"] = m.dc.k;
     },
     [](const DistributionMetrics& m) { return formatted("density %.3f  coverage %.3f", m.dc.density, m.dc.coverage); }},
};

} // namespace

std::set<std::string> defaultFeatureMetrics()
{
    std::set<std::string> names;
    for (const auto& metric : metricCatalogue())
        if (metric.input == MetricInput::Features && metric.byDefault)
            names.insert(metric.name);
    return names;
}

bool hasFeatureComputation(const std::string& name)
{
    return std::any_of(std::begin(kFeatureMetrics), std::end(kFeatureMetrics),
                       [&](const FeatureMetric& metric) { return name == metric.name; });
}

DistributionMetrics compareFeatures(const torch::Tensor& real, const torch::Tensor& generated, const std::string& extractor,
                                    const DistributionOptions& options)
{
    for (const auto& name : options.metrics)
        if (const auto* metric = findMetric(name); !metric || metric->input != MetricInput::Features)
            throw InputError("metric '" + name + "' is not known; expected " + metricNameList(MetricInput::Features));
    DistributionMetrics m;
    m.extractor = extractor;
    m.realCount = real.size(0);
    m.generatedCount = generated.size(0);
    m.computed = options.metrics;
    for (const auto& metric : kFeatureMetrics)
        if (options.metrics.count(metric.name))
            metric.compute(real, generated, options, m);
    return m;
}

nlohmann::json toJson(const DistributionMetrics& m)
{
    nlohmann::json json = {{"extractor", m.extractor}, {"real_count", m.realCount}, {"generated_count", m.generatedCount}};
    for (const auto& metric : kFeatureMetrics)
        if (m.computed.count(metric.name))
            metric.toJson(m, "_" + m.extractor, json);
    return json;
}

std::string toText(const DistributionMetrics& m)
{
    std::string text;
    for (const auto& metric : kFeatureMetrics)
        if (m.computed.count(metric.name))
            text += (text.empty() ? "" : "  ") + metric.toText(m);
    return text;
}

} // namespace dermgan::metrics
