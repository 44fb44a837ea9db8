#include "train/tick_stats.h"

#include <algorithm>
#include <stdexcept>

namespace dermgan::train {

const std::vector<std::string>& trainingStatistics()
{
    static const std::vector<std::string> names{"loss_g", "loss_d_real", "loss_d_fake", "r1_penalty", "pl_penalty", "d_real_sign"};
    return names;
}

TickStats::TickStats(std::vector<std::string> names) : names_(std::move(names)), sums_(names_.size()) {}

void TickStats::report(const std::string& name, double value)
{
    const auto at = std::find(names_.begin(), names_.end(), name);
    if (at == names_.end())
        throw std::logic_error("training statistic '" + name + "' was not declared");
    auto& sum = sums_[static_cast<std::size_t>(at - names_.begin())];
    sum.total += value;
    ++sum.count;
}

std::vector<std::pair<std::string, double>> TickStats::collect()
{
    std::vector<std::pair<std::string, double>> means;
    for (std::size_t i = 0; i < names_.size(); ++i)
        means.emplace_back(names_[i], sums_[i].count > 0 ? sums_[i].total / static_cast<double>(sums_[i].count) : 0.0);
    sums_.assign(names_.size(), Sum{});
    return means;
}

} // namespace dermgan::train
