#include "metrics/metric_catalogue.h"

#include "common/word_list.h"

namespace dermgan::metrics {

const std::vector<MetricInfo>& metricCatalogue()
{
    static const std::vector<MetricInfo> catalogue{
        {"fid", MetricInput::Features, true, {{"fid", "FID", true, 2}},
         "Fréchet distance between Gaussians fitted to the two feature sets (0 = same mean and covariance)"},
        {"kid", MetricInput::Features, true, {{"kid", "KID", true}},
         "kernel (MMD) distance with the cubic polynomial kernel, mean and std over subsets; unbiased at small sizes"},
        {"pr", MetricInput::Features, true, {{"precision", "Precision"}, {"recall", "Recall"}},
         "improved precision (fidelity) and recall (diversity) of k-NN manifolds"},
        {"dc", MetricInput::Features, true, {{"density", "Density"}, {"coverage", "Coverage"}},
         "density and coverage, the outlier-robust successors of precision and recall"},
        {"c2st", MetricInput::Pixels, false,
         {{"c2st_accuracy", "C2ST accuracy (0.5 = indistinguishable)"}, {"c2st_auc", "C2ST AUC (0.5 = indistinguishable)"}},
         "the two-sample classifier test: a small CNN tells real from synthetic on held-out halves"},
    };
    return catalogue;
}

const MetricInfo* findMetric(const std::string& name)
{
    for (const auto& metric : metricCatalogue())
        if (metric.name == name)
            return &metric;
    return nullptr;
}

std::string metricNameList(std::optional<MetricInput> input)
{
    std::vector<std::string> names;
    for (const auto& metric : metricCatalogue())
        if (!input || metric.input == *input)
            names.push_back(metric.name);
    return orList(names);
}

std::string metricOption(bool defaultsOnly)
{
    std::string option;
    for (const auto& metric : metricCatalogue())
        if (!defaultsOnly || metric.byDefault)
            option += (option.empty() ? "" : ",") + metric.name;
    return option;
}

std::string reportKey(const MetricInfo& metric, const ReportedValue& value, const std::string& extractor)
{
    return metric.input == MetricInput::Features ? value.key + "_" + extractor : value.key;
}

std::string reportLabel(const MetricInfo& metric, const ReportedValue& value, const std::string& extractor)
{
    if (metric.input != MetricInput::Features)
        return value.label;
    // The bundled network makes "FID-derm": never to be read as the published Inception FID.
    return extractor == "derm" ? value.label + "-derm" : value.label + " (" + extractor + ")";
}

} // namespace dermgan::metrics
