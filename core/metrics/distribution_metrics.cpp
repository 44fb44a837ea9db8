#include "metrics/distribution_metrics.h"

#include <algorithm>
#include <cstdio>

#include "common/errors.h"
#include "metrics/fid.h"

namespace dermgan::metrics {

DistributionMetrics compareFeatures(const torch::Tensor& real, const torch::Tensor& generated, const std::string& extractor,
                                    const DistributionOptions& options)
{
    for (const auto& name : options.metrics)
        if (name != "fid" && name != "kid" && name != "pr" && name != "dc")
            throw InputError("metric '" + name + "' is not known; expected fid, kid, pr or dc");
    DistributionMetrics m;
    m.extractor = extractor;
    m.realCount = real.size(0);
    m.generatedCount = generated.size(0);
    m.computed = options.metrics;
    if (options.metrics.count("fid")) {
        m.fid = frechetDistance(gaussianStats(real), gaussianStats(generated));
        m.fidReliable = std::min(real.size(0), generated.size(0)) > real.size(1);
    }
    if (options.metrics.count("kid"))
        m.kid = kernelDistance(real, generated, options.kid);
    if (options.metrics.count("pr"))
        m.pr = precisionRecall(real, generated, options.kPrecisionRecall);
    if (options.metrics.count("dc"))
        m.dc = densityCoverage(real, generated, options.kDensityCoverage);
    return m;
}

nlohmann::json toJson(const DistributionMetrics& m)
{
    const std::string s = "_" + m.extractor;
    nlohmann::json json = {{"extractor", m.extractor}, {"real_count", m.realCount}, {"generated_count", m.generatedCount}};
    if (m.computed.count("fid")) {
        json["fid" + s] = m.fid;
        json["fid_reliable"] = m.fidReliable;
    }
    if (m.computed.count("kid")) {
        json["kid" + s] = m.kid.mean;
        json["kid" + s + "_std"] = m.kid.stddev;
        json["kid_subset_size"] = m.kid.subsetSize;
    }
    if (m.computed.count("pr")) {
        json["precision" + s] = m.pr.precision;
        json["recall" + s] = m.pr.recall;
        json["pr_k"] = m.pr.k;
    }
    if (m.computed.count("dc")) {
        json["density" + s] = m.dc.density;
        json["coverage" + s] = m.dc.coverage;
        json["dc_k"] = m.dc.k;
    }
    return json;
}

std::string toText(const DistributionMetrics& m)
{
    char buffer[128];
    std::string text;
    if (m.computed.count("fid")) {
        std::snprintf(buffer, sizeof buffer, "FID-%s %.3f%s  ", m.extractor.c_str(), m.fid,
                      m.fidReliable ? "" : " (unreliable: fewer images than feature dimensions)");
        text += buffer;
    }
    if (m.computed.count("kid")) {
        std::snprintf(buffer, sizeof buffer, "KID-%s %.5f ± %.5f  ", m.extractor.c_str(), m.kid.mean, m.kid.stddev);
        text += buffer;
    }
    if (m.computed.count("pr")) {
        std::snprintf(buffer, sizeof buffer, "precision %.3f  recall %.3f  ", m.pr.precision, m.pr.recall);
        text += buffer;
    }
    if (m.computed.count("dc")) {
        std::snprintf(buffer, sizeof buffer, "density %.3f  coverage %.3f  ", m.dc.density, m.dc.coverage);
        text += buffer;
    }
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

} // namespace dermgan::metrics
