#pragma once
// How well a classifier does on a labelled test set: accuracy, balanced accuracy (mean per-class recall:
// the honest number on HAM10000, where always answering "nv" scores 67% accuracy), macro F1, the ROC-AUC
// of one class against the rest (melanoma vs rest, the study's binary task), per-class recall, precision
// and F1, and the confusion matrix.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace dermgan::metrics {

struct ClassificationReport {
    std::vector<std::string> classNames;
    int64_t count = 0;
    double accuracy = 0;
    double balancedAccuracy = 0;  // over the classes present in the labels
    double macroF1 = 0;           // over the classes present in the labels
    std::string positiveClass;    // for the one-vs-rest AUC; empty when the dataset has no such class
    double positiveAuc = 0;       // NaN when the labels hold no positive or no negative
    std::vector<double> recall, precision, f1;
    std::vector<std::int64_t> support;
    std::vector<std::vector<std::int64_t>> confusion;  // [true class][predicted class]
};

// `probabilities` [N, C] (rows need not be normalised: only argmax and the positive column are used).
// `positiveClass` names the class for the one-vs-rest AUC ("mel"); ignored when not among classNames.
ClassificationReport evaluatePredictions(const torch::Tensor& probabilities, const std::vector<int>& labels,
                                         const std::vector<std::string>& classNames,
                                         const std::string& positiveClass = "mel");

// Area under the ROC curve = the Mann-Whitney probability that a positive scores above a negative, ties
// counting one half. NaN without positives or negatives.
double rocAuc(const std::vector<double>& scores, const std::vector<bool>& positive);

nlohmann::json toJson(const ClassificationReport& report);
// A table: the summary line, then one row per class (support, recall, precision, F1), then the confusion matrix.
std::string toText(const ClassificationReport& report);

} // namespace dermgan::metrics
