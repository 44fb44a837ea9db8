#pragma once
// How far a lesion classifier's scores drop away from the images it was tuned on, measured with what a
// single dataset allows: stress tests (the test images re-acquired with data/acquisition_shifts.h: other
// light, exposure, zoom-out with vignette, lower resolution, JPEG, hairs) and subgroups of the test images
// that differ in source (HAM10000's dx_type and body site) or in framing (dark dermatoscope corners, lesion
// size in the field). Each condition is scored like the unshifted images: accuracy, balanced accuracy and
// the melanoma ROC-AUCs with bootstrap intervals; a drop is unshifted minus shifted (positive = worse).
// It cannot replace an external test set: a shift the augmentation never saw stays unmeasured.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "metrics/binary_aucs.h"
#include "nets/lesion_classifier.h"

namespace dermgan::metrics {

struct ScoredCondition {
    std::string name;         // "unshifted", a stress test's name, or a subgroup's value ("histo")
    std::string description;
    int64_t images = 0;
    double accuracy = 0;
    double balancedAccuracy = 0;  // over the classes present in this condition's labels
    std::vector<BinaryAuc> aucs;  // mel_vs_rest, mel_vs_nv when both sides are present

    // The AUC named `name`, or NaN when it was not computed.
    double auc(const std::string& name) const;
};

struct SubgroupAttribute {
    std::string name;                     // "dx_type", "localization", "framing", "lesion_size"
    std::vector<ScoredCondition> groups;  // largest first
    int64_t leftOut = 0;                  // images of groups too small to score, even pooled
};

struct GeneralisationReport {
    ScoredCondition unshifted;
    std::vector<ScoredCondition> stress;      // in data::stressTests() order
    std::vector<SubgroupAttribute> subgroups;

    // The largest drop of the mel_vs_nv AUC over the stress tests, and which test gives it (NaN, "" without).
    std::pair<double, std::string> worstMelVsNvDrop() const;
};

// Scores softmax `probabilities` [N, C] against `labels` (0..C-1 of `classNames`).
ScoredCondition scoreCondition(const std::string& name, const std::string& description,
                               const torch::Tensor& probabilities, const std::vector<int>& labels,
                               const std::vector<std::string>& classNames, std::uint64_t seed);

// Every stress test applied to uint8 `pixels` [N, 3, R, R] (hairs seeded by `seed`), each scored.
std::vector<ScoredCondition> scoreStressTests(nets::LesionClassifier& model, const torch::Tensor& pixels,
                                              const std::vector<int>& labels, std::uint64_t seed);

// Per-image values of an attribute ("" = unknown: left out); values with fewer than `minImages` images are
// pooled as "other" (a group of fewer stays out of the report: its AUC would be noise).
SubgroupAttribute scoreSubgroups(const std::string& attribute, const std::vector<std::string>& values,
                                 const torch::Tensor& probabilities, const std::vector<int>& labels,
                                 const std::vector<std::string>& classNames, std::uint64_t seed, int minImages = 30);

// Framing statistics of uint8 `pixels` [N, 3, R, R], as attributes for scoreSubgroups:
// "framing": "dark corners" when the four corner squares (R/8) average below 50 of 255 grey (the round field of
//   a contact dermatoscope), else "full field";
// "lesion_size": the share of the central disc darker than its Otsu threshold: "small" (< 15%), "medium"
//   (15-40%), "large" (> 40%).
std::map<std::string, std::vector<std::string>> framingAttributes(const torch::Tensor& pixels);

nlohmann::json toJson(const ScoredCondition& condition);
nlohmann::json toJson(const GeneralisationReport& report);
// A table per part: unshifted, stress tests with drops, then each subgroup attribute.
std::string toText(const GeneralisationReport& report);

} // namespace dermgan::metrics
