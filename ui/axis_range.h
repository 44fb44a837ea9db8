#pragma once
// Value-axis ranges whose tick labels are all different: a fixed "%.1f" printed "0.0 0.0 0.1 0.1 0.1" for a
// run of 0.064 kimg. The range is rounded to nice numbers and the labels get just enough decimals.
class QValueAxis;

namespace dermgan::ui {

// Sets `axis` to cover [low, high] (nice numbers, Qt's applyNiceNumbers) with as many decimals in its
// labels as the tick spacing needs (0 to 6). high <= low is widened to a small range around low.
void setDistinctRange(QValueAxis* axis, double low, double high);

} // namespace dermgan::ui
