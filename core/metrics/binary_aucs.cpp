#include "metrics/binary_aucs.h"

#include <algorithm>
#include <cstdio>

#include "metrics/classification_report.h"

namespace dermgan::metrics {

namespace {

int indexOf(const std::vector<std::string>& names, const std::string& name)
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// The AUC of `scores` for `positive` with its interval, or nothing when a group is empty.
void addAuc(std::vector<BinaryAuc>& out, const std::string& name, const std::vector<double>& scores,
            const std::vector<bool>& positive, int resamples, std::uint64_t seed)
{
    BinaryAuc result;
    result.name = name;
    result.positives = std::count(positive.begin(), positive.end(), true);
    result.negatives = static_cast<int64_t>(positive.size()) - result.positives;
    if (result.positives == 0 || result.negatives == 0)
        return;
    result.auc = rocAuc(scores, positive);
    result.interval = stratifiedBootstrap(scores, positive, rocAuc, resamples, seed);
    out.push_back(result);
}

} // namespace

std::vector<BinaryAuc> melanomaAucs(const torch::Tensor& probabilities, const std::vector<int>& labels,
                                    const std::vector<std::string>& classNames, int resamples, std::uint64_t seed)
{
    std::vector<BinaryAuc> out;
    const int mel = indexOf(classNames, "mel"), nv = indexOf(classNames, "nv");
    if (mel < 0)
        return out;
    const auto p = probabilities.to(torch::kDouble).contiguous();
    const auto pMel = p.select(1, mel).contiguous();
    const double* melScores = pMel.data_ptr<double>();
    std::vector<double> scores(melScores, melScores + pMel.numel());
    std::vector<bool> positive;
    for (int label : labels)
        positive.push_back(label == mel);
    addAuc(out, "mel_vs_rest", scores, positive, resamples, seed);
    if (nv < 0)
        return out;
    const auto pNv = p.select(1, nv).contiguous();
    const double* nvScores = pNv.data_ptr<double>();
    std::vector<double> pairScores;
    std::vector<bool> pairPositive;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == mel || labels[i] == nv) {
            const double m = melScores[i], n = nvScores[i];
            pairScores.push_back(m + n > 0 ? m / (m + n) : 0.5);
            pairPositive.push_back(labels[i] == mel);
        }
    addAuc(out, "mel_vs_nv", pairScores, pairPositive, resamples, seed);
    return out;
}

nlohmann::json toJson(const std::vector<BinaryAuc>& aucs)
{
    nlohmann::json json = nlohmann::json::object();
    for (const auto& a : aucs)
        json[a.name] = {{"auc", a.auc}, {"ci", {a.interval.low, a.interval.high}}, {"positives", a.positives},
                        {"negatives", a.negatives}};
    return json;
}

std::string toText(const std::vector<BinaryAuc>& aucs)
{
    std::string text;
    char line[160];
    for (const auto& a : aucs) {
        std::snprintf(line, sizeof line, "ROC-AUC %s %.3f [%.3f, %.3f] (%lld vs %lld images)\n", a.name.c_str(), a.auc,
                      a.interval.low, a.interval.high, static_cast<long long>(a.positives), static_cast<long long>(a.negatives));
        text += line;
    }
    return text;
}

} // namespace dermgan::metrics
