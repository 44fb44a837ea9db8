#include "palette_chart_view.h"

#include <QAbstractAxis>
#include <QChart>
#include <QEvent>
#include <QLegend>

namespace dermgan::ui {

PaletteChartView::PaletteChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) { restyle(); }

void PaletteChartView::restyle()
{
    QChart* chart = this->chart();
    if (!chart)
        return;
    const QPalette colours = palette();
    setBackgroundBrush(colours.window());
    chart->setBackgroundBrush(colours.base());
    chart->setTitleBrush(colours.text());
    chart->legend()->setLabelColor(colours.text().color());
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsBrush(colours.text());
        axis->setTitleBrush(colours.text());
        axis->setLinePenColor(colours.mid().color());
        axis->setGridLineColor(colours.midlight().color());
    }
}

bool PaletteChartView::event(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::Show)
        restyle();
    return QChartView::event(event);
}

} // namespace dermgan::ui
