#pragma once
// A chart view whose chart follows the window palette: a dark desktop scheme gives dark charts, without
// touching the series' own colours (class colours on the map, loss lines). Qt Charts' themes would reset
// those, so only backgrounds, text, axes and grid are restyled.
#include <QChartView>

namespace dermgan::ui {

class PaletteChartView : public QChartView {
    Q_OBJECT
public:
    explicit PaletteChartView(QChart* chart, QWidget* parent = nullptr);
    // Call after adding axes; palette changes and the first show restyle by themselves.
    void restyle();

protected:
    bool event(QEvent* event) override;
};

} // namespace dermgan::ui
