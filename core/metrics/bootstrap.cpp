#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/errors.h"
#include "common/random.h"

namespace dermgan::metrics {

Interval stratifiedBootstrap(const std::vector<double>& scores, const std::vector<bool>& positive,
                             const GroupStatistic& statistic, int resamples, std::uint64_t seed, double level)
{
    if (scores.size() != positive.size())
        throw InputError("bootstrap: " + std::to_string(scores.size()) + " scores but " + std::to_string(positive.size()) +
                         " group flags; expected one flag per score");
    if (resamples < 2 || !(level > 0 && level < 1))
        throw InputError("bootstrap: expected at least 2 resamples and a level in (0, 1)");
    std::vector<std::size_t> groups[2];
    for (std::size_t i = 0; i < scores.size(); ++i)
        groups[positive[i] ? 1 : 0].push_back(i);
    if (groups[0].empty() || groups[1].empty())
        throw InputError("bootstrap: both groups need at least one score");

    Rng rng(deriveSeed(seed, 11));
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(resamples));
    std::vector<double> drawnScores(scores.size());
    std::vector<bool> drawnPositive(scores.size());
    for (int r = 0; r < resamples; ++r) {
        std::size_t out = 0;
        for (int g = 0; g < 2; ++g)
            for (std::size_t k = 0; k < groups[g].size(); ++k, ++out) {
                const auto& members = groups[g];
                drawnScores[out] = scores[members[uniformBelow(rng, members.size())]];
                drawnPositive[out] = g == 1;
            }
        const double value = statistic(drawnScores, drawnPositive);
        if (std::isfinite(value))
            values.push_back(value);
    }
    if (values.empty())
        throw InputError("bootstrap: the statistic was undefined on every resample");
    std::sort(values.begin(), values.end());
    // Linear interpolation between order statistics (numpy.percentile's default).
    auto quantile = [&](double q) {
        const double position = q * static_cast<double>(values.size() - 1);
        const auto below = static_cast<std::size_t>(std::floor(position));
        const auto above = std::min(below + 1, values.size() - 1);
        return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
    };
    const double tail = (1 - level) / 2;
    return {quantile(tail), quantile(1 - tail)};
}

} // namespace dermgan::metrics
