#pragma once
// The metrics view: evaluates the open generator against a real dataset with `dermgan metrics` (a child
// process, cancellable) and shows the report: FID-derm, KID, precision, recall, density, coverage and the
// two-sample classifier test beside the real-train-vs-real floor, and FID-derm per class. A report already written beside the model
// (models/<stem>/metrics.json) or anywhere else can be opened without recomputing.
#include <QJsonObject>
#include <QWidget>

#include "generator_session.h"

class QBarSeries;
class QChart;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace dermgan::ui {

class CliProcess;
class PaletteChartView;

class MetricsView : public QWidget {
    Q_OBJECT
public:
    explicit MetricsView(QWidget* parent = nullptr);

    void setSession(const GeneratorSession& session);
    void setDataset(const QString& path);
    void setSubset(const QString& subset);  // test, val, train or all
    void setSyntheticCount(int count);
    void setPerClass(bool perClass);
    void setTwoSampleTest(bool enabled);
    void setReportFolder(const QString& path);

    void evaluate();
    void cancel();
    bool busy() const;
    // Shows a metrics.json report; the one-line reason when it cannot be read.
    QString openReport(const QString& path);

    const QJsonObject& report() const { return report_; }
    QTableWidget* table() const { return table_; }
    QStringList chartCategories() const;  // the per-class chart's classes
    QString commandLine() const;

Q_SIGNALS:
    void reportShown();
    void failed(const QString& message);

private:
    void showReport(const QJsonObject& report, const QString& source);

    GeneratorSession session_;
    CliProcess* process_ = nullptr;
    QJsonObject report_;
    QLineEdit* dataset_ = nullptr;
    QComboBox* subset_ = nullptr;
    QSpinBox* count_ = nullptr;
    QCheckBox* perClass_ = nullptr;
    QCheckBox* twoSampleTest_ = nullptr;
    QLineEdit* extractor_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QPushButton* evaluate_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* status_ = nullptr;
    QTableWidget* table_ = nullptr;
    QChart* chart_ = nullptr;
    QBarSeries* bars_ = nullptr;
    PaletteChartView* chartView_ = nullptr;
    QPlainTextEdit* command_ = nullptr;
};

} // namespace dermgan::ui
