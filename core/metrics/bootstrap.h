#pragma once
// Percentile bootstrap intervals for scores of a two-group evaluation (Efron & Tibshirani, "An Introduction
// to the Bootstrap", 1993, ch. 13): each resample draws the positives and the negatives separately with
// replacement, so every resample keeps the group sizes and statistics such as the ROC-AUC stay defined.
#include <cstdint>
#include <functional>
#include <vector>

namespace dermgan::metrics {

struct Interval {
    double low = 0;
    double high = 0;
};

// A statistic of scores and their group flags, e.g. rocAuc or an accuracy.
using GroupStatistic = std::function<double(const std::vector<double>& scores, const std::vector<bool>& positive)>;

// The central `level` (e.g. 0.95) percentile interval of `statistic` over `resamples` stratified resamples,
// seeded (the same numbers on every machine). Throws InputError when sizes differ, a group is empty,
// resamples < 2 or level is outside (0, 1).
Interval stratifiedBootstrap(const std::vector<double>& scores, const std::vector<bool>& positive,
                             const GroupStatistic& statistic, int resamples, std::uint64_t seed, double level = 0.95);

} // namespace dermgan::metrics
