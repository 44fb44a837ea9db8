#include "metrics/classification_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::metrics {

double rocAuc(const std::vector<double>& scores, const std::vector<bool>& positive)
{
    const std::size_t n = scores.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    // Average ranks (1-based) over ties; the AUC is the rank-sum statistic of the positives.
    double positiveRankSum = 0;
    std::size_t positives = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j < n && scores[order[j]] == scores[order[i]])
            ++j;
        const double rank = 0.5 * static_cast<double>(i + 1 + j);
        for (std::size_t k = i; k < j; ++k)
            if (positive[order[k]]) {
                positiveRankSum += rank;
                ++positives;
            }
        i = j;
    }
    const std::size_t negatives = n - positives;
    if (positives == 0 || negatives == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const double p = static_cast<double>(positives), q = static_cast<double>(negatives);
    return (positiveRankSum - p * (p + 1) / 2) / (p * q);
}

ClassificationReport evaluatePredictions(const torch::Tensor& probabilities, const std::vector<int>& labels,
                                         const std::vector<std::string>& classNames, const std::string& positiveClass)
{
    const auto c = static_cast<int64_t>(classNames.size());
    if (probabilities.dim() != 2 || probabilities.size(1) != c || probabilities.size(0) != static_cast<int64_t>(labels.size()))
        throw InputError("predictions must be [" + std::to_string(labels.size()) + ", " + std::to_string(c) +
                         "] for " + std::to_string(labels.size()) + " labels and " + std::to_string(c) + " classes");
    if (labels.empty())
        throw InputError("no test images to evaluate the classifier on");
    const auto probs = probabilities.to(torch::kDouble).contiguous();
    const auto predicted = probs.argmax(1);
    ClassificationReport report;
    report.classNames = classNames;
    report.count = static_cast<int64_t>(labels.size());
    report.confusion.assign(static_cast<std::size_t>(c), std::vector<std::int64_t>(static_cast<std::size_t>(c), 0));
    const auto* pred = predicted.data_ptr<int64_t>();
    int64_t correct = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= c)
            throw InputError("label " + std::to_string(labels[i]) + " is outside the " + std::to_string(c) + " classes");
        ++report.confusion[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(pred[i])];
        correct += pred[i] == labels[i];
    }
    report.accuracy = static_cast<double>(correct) / static_cast<double>(labels.size());
    double recallSum = 0, f1Sum = 0;
    int present = 0;
    for (int64_t k = 0; k < c; ++k) {
        const auto& row = report.confusion[static_cast<std::size_t>(k)];
        const std::int64_t support = std::accumulate(row.begin(), row.end(), std::int64_t{0});
        std::int64_t predictedAsK = 0;
        for (const auto& r : report.confusion)
            predictedAsK += r[static_cast<std::size_t>(k)];
        const double tp = static_cast<double>(row[static_cast<std::size_t>(k)]);
        const double recall = support ? tp / static_cast<double>(support) : 0.0;
        const double precision = predictedAsK ? tp / static_cast<double>(predictedAsK) : 0.0;
        const double f1 = recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0.0;
        report.support.push_back(support);
        report.recall.push_back(recall);
        report.precision.push_back(precision);
        report.f1.push_back(f1);
        if (support > 0) {
            recallSum += recall;
            f1Sum += f1;
            ++present;
        }
    }
    report.balancedAccuracy = present ? recallSum / present : 0.0;
    report.macroF1 = present ? f1Sum / present : 0.0;
    report.positiveAuc = std::numeric_limits<double>::quiet_NaN();
    const auto it = std::find(classNames.begin(), classNames.end(), positiveClass);
    if (it != classNames.end()) {
        const auto k = static_cast<int64_t>(it - classNames.begin());
        report.positiveClass = positiveClass;
        const auto column = probs.select(1, k).contiguous();
        std::vector<double> scores(column.data_ptr<double>(), column.data_ptr<double>() + column.numel());
        std::vector<bool> positive;
        for (int label : labels)
            positive.push_back(label == k);
        report.positiveAuc = rocAuc(scores, positive);
    }
    return report;
}

nlohmann::json toJson(const ClassificationReport& report)
{
    nlohmann::json perClass = nlohmann::json::object();
    for (std::size_t k = 0; k < report.classNames.size(); ++k)
        perClass[report.classNames[k]] = {{"support", report.support[k]},
                                          {"recall", report.recall[k]},
                                          {"precision", report.precision[k]},
                                          {"f1", report.f1[k]}};
    nlohmann::json json = {{"count", report.count},
                           {"accuracy", report.accuracy},
                           {"balanced_accuracy", report.balancedAccuracy},
                           {"macro_f1", report.macroF1},
                           {"per_class", perClass},
                           {"confusion", report.confusion},
                           {"class_names", report.classNames}};
    if (!report.positiveClass.empty()) {
        json["auc_class"] = report.positiveClass;
        json["auc_vs_rest"] = std::isnan(report.positiveAuc) ? nlohmann::json() : nlohmann::json(report.positiveAuc);
    }
    return json;
}

std::string toText(const ClassificationReport& report)
{
    char line[256];
    std::string text;
    std::snprintf(line, sizeof line, "%lld images: accuracy %.3f  balanced accuracy %.3f  macro F1 %.3f",
                  static_cast<long long>(report.count), report.accuracy, report.balancedAccuracy, report.macroF1);
    text += line;
    if (!report.positiveClass.empty()) {
        std::snprintf(line, sizeof line, "  ROC-AUC %s vs rest %.3f", report.positiveClass.c_str(), report.positiveAuc);
        text += line;
    }
    text += "\n  class    support  recall  precision     F1\n";
    for (std::size_t k = 0; k < report.classNames.size(); ++k) {
        std::snprintf(line, sizeof line, "  %-8s %7lld  %6.3f  %9.3f  %5.3f\n", report.classNames[k].c_str(),
                      static_cast<long long>(report.support[k]), report.recall[k], report.precision[k], report.f1[k]);
        text += line;
    }
    text += "  confusion (rows: true class, columns: predicted)\n          ";
    for (const auto& name : report.classNames) {
        std::snprintf(line, sizeof line, "%7s", name.substr(0, 6).c_str());
        text += line;
    }
    text += "\n";
    for (std::size_t k = 0; k < report.classNames.size(); ++k) {
        std::snprintf(line, sizeof line, "  %-8s", report.classNames[k].c_str());
        text += line;
        for (auto v : report.confusion[k]) {
            std::snprintf(line, sizeof line, "%7lld", static_cast<long long>(v));
            text += line;
        }
        text += "\n";
    }
    return text;
}

} // namespace dermgan::metrics
