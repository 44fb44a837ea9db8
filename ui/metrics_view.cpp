#include "metrics_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include "common/exit_codes.h"
#include "metrics/metric_catalogue.h"
#include "cli_process.h"
#include "palette_chart_view.h"

namespace dermgan::ui {

namespace {

// One table row per value of every metric in the catalogue, in its order.
struct MetricRow {
    const metrics::MetricInfo* metric;
    const metrics::ReportedValue* value;
};

const std::vector<MetricRow>& metricRows()
{
    static const std::vector<MetricRow> rows = [] {
        std::vector<MetricRow> all;
        for (const auto& metric : metrics::metricCatalogue())
            for (const auto& value : metric.values)
                all.push_back({&metric, &value});
        return all;
    }();
    return rows;
}

// The value, and its 95% interval when the report has one (<key>_ci).
QString cell(const QJsonObject& metrics, const QString& key)
{
    if (key.startsWith(QLatin1String("c2st_")) && metrics.contains(QStringLiteral("c2st_skipped")))
        return QObject::tr("skipped: %1").arg(metrics.value(QStringLiteral("c2st_skipped")).toString());
    if (!metrics.contains(key))
        return QStringLiteral("–");
    QString text = QString::number(metrics.value(key).toDouble(), 'f', 4);
    const QJsonArray interval = metrics.value(key + QStringLiteral("_ci")).toArray();
    if (interval.size() == 2)
        text += QStringLiteral(" [%1, %2]").arg(interval[0].toDouble(), 0, 'f', 3).arg(interval[1].toDouble(), 0, 'f', 3);
    return text;
}

} // namespace

MetricsView::MetricsView(QWidget* parent) : QWidget(parent)
{
    process_ = new CliProcess(this);
    dataset_ = new QLineEdit(QSettings().value(QStringLiteral("dataset")).toString());
    dataset_->setAccessibleName(tr("Real dataset"));
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Real dataset"), dataset_->text());
        if (!path.isEmpty())
            setDataset(path);
    });
    subset_ = new QComboBox;
    subset_->addItems({QStringLiteral("test"), QStringLiteral("val"), QStringLiteral("train"), QStringLiteral("all")});
    subset_->setAccessibleName(tr("Real images"));
    count_ = new QSpinBox;
    count_->setRange(0, 1000000);
    count_->setSpecialValueText(tr("as many as real"));
    count_->setAccessibleName(tr("Synthetic images"));
    perClass_ = new QCheckBox(tr("Per &class"));
    perClass_->setChecked(true);
    twoSampleTest_ = new QCheckBox(tr("&Two-sample classifier test"));
    twoSampleTest_->setObjectName(QStringLiteral("twoSampleTest"));
    twoSampleTest_->setChecked(true);
    twoSampleTest_->setToolTip(tr("A small CNN learns to tell real from synthetic images on half of each set and is "
                                  "scored on the other half: 0.5 = it cannot tell them apart. Reads pixels, not the "
                                  "derm network's features. About a minute on a CPU; needs 20 images of each set."));
    extractor_ = new QLineEdit(QStringLiteral("derm"));
    extractor_->setAccessibleName(tr("Feature network"));
    extractor_->setToolTip(tr("derm (the bundled dermatology network), a .dermnet, or a TorchScript Inception .pt you supply"));
    folder_ = new QLineEdit;
    folder_->setAccessibleName(tr("Report folder"));
    evaluate_ = new QPushButton(tr("&Evaluate"));
    evaluate_->setObjectName(QStringLiteral("evaluate"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    auto* open = new QPushButton(tr("Open report…"));
    connect(evaluate_, &QPushButton::clicked, this, &MetricsView::evaluate);
    connect(cancel_, &QPushButton::clicked, this, &MetricsView::cancel);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open metrics report"), folder_->text(), tr("Metrics reports (metrics.json)"));
        if (path.isEmpty())
            return;
        if (const QString error = openReport(path); !error.isEmpty())
            Q_EMIT failed(error);
    });

    auto* datasetRow = new QHBoxLayout;
    datasetRow->addWidget(dataset_, 1);
    datasetRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Dataset:"), datasetRow);
    form->addRow(tr("&Real images:"), subset_);
    form->addRow(tr("&Synthetic images:"), count_);
    form->addRow(QString(), perClass_);
    form->addRow(QString(), twoSampleTest_);
    form->addRow(tr("&Feature network:"), extractor_);
    form->addRow(tr("Report &folder:"), folder_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(evaluate_);
    buttons->addWidget(cancel_);
    buttons->addWidget(open);
    form->addRow(buttons);
    status_ = new QLabel(tr("Evaluate the open generator against real images."));
    status_->setObjectName(QStringLiteral("metricsStatus"));
    status_->setWordWrap(true);
    auto* comparability = new QLabel(tr("<i>FID-derm and the other -derm metrics use the project's dermatology network: "
                                        "compare them between models evaluated the same way, never with published "
                                        "Inception FIDs. The floor is real training images scored against the same real "
                                        "images: the best a generator can do at this sample size. The two-sample test "
                                        "(C2ST) is a small CNN telling real from synthetic images on held-out halves, "
                                        "with 95% bootstrap intervals: 0.5 means it cannot tell them apart, 1.0 that "
                                        "it always can.</i>"));
    comparability->setWordWrap(true);
    auto* controls = new QWidget;
    auto* controlsLayout = new QVBoxLayout(controls);
    controlsLayout->addLayout(form);
    controlsLayout->addWidget(status_);
    controlsLayout->addWidget(comparability);
    controlsLayout->addStretch();

    table_ = new QTableWidget(static_cast<int>(metricRows().size()), 2);
    table_->setObjectName(QStringLiteral("metricsTable"));
    table_->setAccessibleName(tr("Metrics table"));
    table_->setHorizontalHeaderLabels({tr("generated vs real"), tr("floor: real train vs real")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    bars_ = new QBarSeries;
    chart_ = new QChart;
    chart_->addSeries(bars_);
    chart_->setTitle(tr("Per class"));
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chartView_ = new PaletteChartView(chart_);
    chartView_->setRenderHint(QPainter::Antialiasing);
    chartView_->setAccessibleName(tr("Per-class chart"));
    command_ = new QPlainTextEdit;
    command_->setReadOnly(true);
    command_->setMaximumHeight(54);
    command_->setAccessibleName(tr("Command that reproduces the report"));
    auto* results = new QWidget;
    auto* resultsLayout = new QVBoxLayout(results);
    resultsLayout->addWidget(table_, 3);
    resultsLayout->addWidget(chartView_, 3);
    resultsLayout->addWidget(command_);

    auto* splitter = new QSplitter;
    splitter->addWidget(controls);
    splitter->addWidget(results);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(process_, &CliProcess::failed, this, [this](const QString& message) {
        evaluate_->setEnabled(true);
        cancel_->setEnabled(false);
        status_->setText(message);
        Q_EMIT failed(message);
    });
    connect(process_, &CliProcess::finished, this, [this](int exitCode) {
        evaluate_->setEnabled(true);
        cancel_->setEnabled(false);
        if (exitCode == cli::kCancelled) {
            status_->setText(tr("Cancelled."));
            return;
        }
        const QJsonDocument document = QJsonDocument::fromJson(process_->standardOutput());
        if (exitCode != 0 || !document.isObject()) {
            const QString reason = process_->lastErrorLine().isEmpty() ? tr("dermgan metrics stopped with exit code %1").arg(exitCode)
                                                                       : process_->lastErrorLine();
            status_->setText(reason);
            Q_EMIT failed(reason);
            return;
        }
        showReport(document.object(), QDir(folder_->text()).filePath(QStringLiteral("metrics.json")));
    });
}

void MetricsView::setSession(const GeneratorSession& session)
{
    session_ = session;
    report_ = {};
    table_->clearContents();
    bars_->clear();
    const QFileInfo model(session.path());
    folder_->setText(QDir::home().filePath(QStringLiteral("dermgan-reports/%1").arg(model.completeBaseName())));
    if (dataset_->text().isEmpty() && QFileInfo::exists(session.trainingDataset()))
        dataset_->setText(session.trainingDataset());
    // The report written beside a model (models/<stem>/metrics.json) is shown at once.
    const QString beside = model.dir().filePath(model.completeBaseName() + QStringLiteral("/metrics.json"));
    if (!QFileInfo::exists(beside) || !openReport(beside).isEmpty())
        status_->setText(tr("No report for this model yet: choose the real dataset and Evaluate (a few minutes on a CPU)."));
}

void MetricsView::setDataset(const QString& path) { dataset_->setText(path); }
void MetricsView::setSubset(const QString& subset) { subset_->setCurrentText(subset); }
void MetricsView::setSyntheticCount(int count) { count_->setValue(count); }
void MetricsView::setPerClass(bool perClass) { perClass_->setChecked(perClass); }
void MetricsView::setTwoSampleTest(bool enabled) { twoSampleTest_->setChecked(enabled); }
void MetricsView::setReportFolder(const QString& path) { folder_->setText(path); }
bool MetricsView::busy() const { return process_->running(); }
void MetricsView::cancel() { process_->interrupt(); }
QString MetricsView::commandLine() const { return command_->toPlainText(); }

void MetricsView::evaluate()
{
    if (!session_.isLoaded() || busy())
        return;
    QStringList args{QStringLiteral("metrics"), session_.path(),   QStringLiteral("--data"),      dataset_->text(),
                     QStringLiteral("--subset"), subset_->currentText(), QStringLiteral("--extractor"), extractor_->text(),
                     QStringLiteral("--out"),    folder_->text(),        QStringLiteral("--json")};
    if (count_->value() > 0)
        args << QStringLiteral("--count") << QString::number(count_->value());
    if (perClass_->isChecked())
        args << QStringLiteral("--per-class");
    if (twoSampleTest_->isChecked())
        args << QStringLiteral("--metrics") << QString::fromStdString(metrics::metricOption(false));
    command_->setPlainText(CliProcess::commandLine(args));
    if (!process_->start(args))
        return;
    QSettings().setValue(QStringLiteral("dataset"), dataset_->text());
    evaluate_->setEnabled(false);
    cancel_->setEnabled(true);
    status_->setText(tr("Evaluating: features of the real images (cached after the first time), then of the synthetic ones…"));
}

QString MetricsView::openReport(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("metrics report %1 cannot be read").arg(path);
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    if (!document.isObject() || !document.object().value(QStringLiteral("metrics")).isObject())
        return tr("%1 is not a dermgan metrics report (expected the metrics.json of dermgan metrics)").arg(path);
    showReport(document.object(), path);
    return {};
}

QStringList MetricsView::chartCategories() const
{
    const auto axes = chart_->axes(Qt::Horizontal);
    return axes.isEmpty() ? QStringList() : static_cast<QBarCategoryAxis*>(axes.first())->categories();
}

void MetricsView::showReport(const QJsonObject& report, const QString& source)
{
    report_ = report;
    const QJsonObject main = report.value(QStringLiteral("metrics")).toObject();
    const QString extractor = main.value(QStringLiteral("extractor")).toString();
    const QString suffix = QLatin1Char('_') + extractor;
    QJsonObject floor;
    for (auto it = report.begin(); it != report.end(); ++it)
        if (it.key().startsWith(QLatin1String("baseline_")))
            floor = it.value().toObject();
    QStringList labels;
    for (int row = 0; row < static_cast<int>(metricRows().size()); ++row) {
        const auto [metric, value] = metricRows()[static_cast<std::size_t>(row)];
        labels << QString::fromStdString(metrics::reportLabel(*metric, *value, extractor.toStdString()));
        const QString key = QString::fromStdString(metrics::reportKey(*metric, *value, extractor.toStdString()));
        table_->setItem(row, 0, new QTableWidgetItem(cell(main, key)));
        table_->setItem(row, 1, new QTableWidgetItem(cell(floor, key)));
    }
    table_->setVerticalHeaderLabels(labels);

    // Per class: FID-derm would dwarf the [0, 1] metrics, so the bars show precision, recall and coverage
    // and each class's FID-derm is written beside its name.
    for (auto* axis : chart_->axes())
        chart_->removeAxis(axis);
    bars_->clear();
    const QJsonObject perClass = report.value(QStringLiteral("per_class")).toObject();
    QStringList categories;
    const char* shown[] = {"precision", "recall", "coverage"};
    QList<QBarSet*> sets;
    for (const char* key : shown)
        sets << new QBarSet(QStringLiteral("%1%2").arg(QString::fromLatin1(key), extractor == QLatin1String("derm") ? QStringLiteral("-derm") : QString()));
    for (auto it = perClass.begin(); it != perClass.end(); ++it) {
        const QJsonObject metrics = it.value().toObject();
        if (metrics.contains(QStringLiteral("skipped"))) {  // too few images of this class: no bars, say so
            categories << tr("%1 (too few images)").arg(it.key());
            for (auto* set : sets)
                *set << 0.0;
            continue;
        }
        const bool reliable = metrics.value(QStringLiteral("fid_reliable")).toBool(true);
        categories << QStringLiteral("%1 %2%3").arg(it.key()).arg(metrics.value(QStringLiteral("fid") + suffix).toDouble(), 0, 'f', 0)
                                                .arg(reliable ? QString() : QStringLiteral("*"));
        for (int i = 0; i < 3; ++i)
            *sets[i] << metrics.value(QLatin1String(shown[i]) + suffix).toDouble();
    }
    bars_->append(sets);
    auto* x = new QBarCategoryAxis;
    x->append(categories);
    auto* y = new QValueAxis;
    y->setRange(0, 1);
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);
    bars_->attachAxis(x);
    bars_->attachAxis(y);
    chartView_->restyle();
    chart_->setTitle(categories.isEmpty() ? tr("Per class: not in this report (tick Per class and Evaluate)")
                                          : tr("Per class: class FID-derm (* = too few real images for a reliable FID)"));

    const QString command = report.value(QStringLiteral("command")).toString();
    if (!command.isEmpty())
        command_->setPlainText(command);
    const QString hash = report.value(QStringLiteral("model_hash")).toString();
    const QString other = session_.isLoaded() && !hash.isEmpty() && hash != session_.hash()
                              ? tr("NOTE: this report is of another model (hash %1). ").arg(hash)
                              : QString();
    status_->setText(other + tr("Report %1: %2 synthetic vs %3 real '%4' images, model at %5 kimg.")
                         .arg(source)
                         .arg(main.value(QStringLiteral("generated_count")).toInt())
                         .arg(main.value(QStringLiteral("real_count")).toInt())
                         .arg(report.value(QStringLiteral("subset")).toString())
                         .arg(report.value(QStringLiteral("model_kimg")).toDouble(), 0, 'f', 1));
    Q_EMIT reportShown();
}

} // namespace dermgan::ui
