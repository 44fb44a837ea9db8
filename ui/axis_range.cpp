#include "axis_range.h"

#include <algorithm>
#include <cmath>

#include <QValueAxis>

namespace dermgan::ui {

void setDistinctRange(QValueAxis* axis, double low, double high)
{
    if (!(high > low))
        high = low + std::max(1e-3, std::abs(low) * 1e-3);
    axis->setRange(low, high);
    axis->applyNiceNumbers();
    const int intervals = std::max(1, axis->tickCount() - 1);
    const double step = (axis->max() - axis->min()) / intervals;
    // Decimals to tell ticks `step` apart: step 0.02 needs 2, 0.025 needs 3, 5 needs 0.
    int decimals = 0;
    while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

} // namespace dermgan::ui
