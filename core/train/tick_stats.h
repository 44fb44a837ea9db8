#pragma once
// Statistics that training steps report by name and that each tick averages into its stats line, after
// torch_utils/training_stats.py of StyleGAN2-ADA (report(name, value) where it is computed, collect per
// tick). Adding a statistic is one name in trainingStatistics() and one report() call; the tick line, the
// federated rounds' means and any reader of stats.jsonl get it by name.
#include <string>
#include <utility>
#include <vector>

namespace dermgan::train {

// The names the trainer reports, in stats-line order: loss_g, loss_d_real, loss_d_fake, r1_penalty,
// pl_penalty, d_real_sign (means over the tick's steps that computed them).
const std::vector<std::string>& trainingStatistics();

class TickStats {
public:
    // Every name that may be reported: a tick with no sample of one (no R1 step in it, path length off)
    // still writes it, as 0, so that every stats line has the same keys.
    explicit TickStats(std::vector<std::string> names);

    // Adds one sample. std::logic_error for a name not declared (a programming error, not bad input).
    void report(const std::string& name, double value);
    // Each declared name with the mean of its samples since the last collect (0 without samples), in
    // declaration order; then starts the next tick.
    std::vector<std::pair<std::string, double>> collect();

private:
    struct Sum {
        double total = 0.0;
        long count = 0;
    };
    std::vector<std::string> names_;
    std::vector<Sum> sums_;
};

} // namespace dermgan::train
