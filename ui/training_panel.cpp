#include "training_panel.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include "axis_range.h"
#include "cli_process.h"
#include "common/exit_codes.h"
#include "palette_chart_view.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

QChart* makeChart(const QString& title, std::initializer_list<std::pair<QLineSeries*, QString>> series)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    auto* x = new QValueAxis;
    x->setTitleText(QObject::tr("kimg"));
    auto* y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (const auto& [line, name] : series) {
        line->setName(name);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    chart->legend()->setVisible(series.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(2, 2, 2, 2));
    return chart;
}

// Fits both axes of `chart` to its series' points.
void fitAxes(QChart* chart)
{
    double x0 = std::numeric_limits<double>::max(), x1 = -x0, y0 = x0, y1 = -x0;
    for (auto* series : chart->series())
        for (const QPointF& p : static_cast<QLineSeries*>(series)->points()) {
            x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
            y0 = std::min(y0, p.y()), y1 = std::max(y1, p.y());
        }
    if (x0 > x1)
        return;
    // A flat series (ADA p before it moves) still gets a readable axis.
    const double pad = std::max(0.05 * std::max(1.0, std::abs(y1)), (y1 - y0) * 0.05);
    setDistinctRange(static_cast<QValueAxis*>(chart->axes(Qt::Horizontal).first()), x0, std::max(x1, x0 + 1e-3));
    setDistinctRange(static_cast<QValueAxis*>(chart->axes(Qt::Vertical).first()), y0 >= 0 ? std::max(0.0, y0 - pad) : y0 - pad,
                     y1 + pad);
}

QChartView* viewOf(QChart* chart, const QString& name)
{
    auto* view = new PaletteChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(220, 160);
    view->setAccessibleName(name);
    return view;
}

} // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent)
{
    process_ = new CliProcess(this);
    connect(process_, &CliProcess::jsonLine, this, &TrainingPanel::addStats);
    connect(process_, &CliProcess::finished, this, &TrainingPanel::onFinished);
    connect(process_, &CliProcess::failed, this, [this](const QString& message) {
        setState(State::Failed);
        Q_EMIT failed(message);
    });

    status_ = new QLabel(tr("No training run. Start one with Train > New training run…"));
    status_->setObjectName(QStringLiteral("trainingStatus"));
    status_->setWordWrap(true);
    progress_ = new QProgressBar;
    progress_->setAccessibleName(tr("Training progress"));
    progress_->setFormat(tr("%p% of the run"));
    command_ = new QPlainTextEdit;
    command_->setReadOnly(true);
    command_->setMaximumHeight(48);
    command_->setAccessibleName(tr("Training command"));
    pause_ = new QPushButton(tr("&Pause"));
    pause_->setToolTip(tr("Stop after the current step and write a snapshot; Resume continues from it"));
    resume_ = new QPushButton(tr("&Resume"));
    cancel_ = new QPushButton(tr("&Cancel run"));
    cancel_->setToolTip(tr("Stop for good (a snapshot is still written; the command line can continue it)"));
    open_ = new QPushButton(tr("&Open latest snapshot"));
    open_->setToolTip(tr("Open the run's newest snapshot in the explorer"));
    pause_->setObjectName(QStringLiteral("pauseTraining"));
    resume_->setObjectName(QStringLiteral("resumeTraining"));
    cancel_->setObjectName(QStringLiteral("cancelTraining"));
    open_->setObjectName(QStringLiteral("openTraining"));
    connect(pause_, &QPushButton::clicked, this, &TrainingPanel::pause);
    connect(resume_, &QPushButton::clicked, this, &TrainingPanel::resume);
    connect(cancel_, &QPushButton::clicked, this, &TrainingPanel::cancel);
    connect(open_, &QPushButton::clicked, this, [this] {
        if (const QString path = latestSnapshot(); !path.isEmpty())
            Q_EMIT openSnapshot(path);
    });

    lossG_ = new QLineSeries;
    lossDReal_ = new QLineSeries;
    lossDFake_ = new QLineSeries;
    augmentP_ = new QLineSeries;
    secPerKimg_ = new QLineSeries;
    lossChart_ = makeChart(tr("Losses"), {{lossG_, tr("G")}, {lossDReal_, tr("D real")}, {lossDFake_, tr("D fake")}});
    augmentChart_ = makeChart(tr("ADA augmentation p"), {{augmentP_, tr("p")}});
    speedChart_ = makeChart(tr("Seconds per kimg"), {{secPerKimg_, tr("sec/kimg")}});
    grid_ = new SyntheticImageView;
    grid_->setAccessibleName(tr("Latest sample grid"));
    grid_->setMinimumSize(200, 200);

    auto* buttons = new QHBoxLayout;
    for (auto* button : {pause_, resume_, cancel_, open_})
        buttons->addWidget(button);
    buttons->addStretch();
    auto* charts = new QGridLayout;
    charts->addWidget(viewOf(lossChart_, tr("Loss chart")), 0, 0);
    charts->addWidget(viewOf(augmentChart_, tr("Augmentation chart")), 0, 1);
    charts->addWidget(viewOf(speedChart_, tr("Speed chart")), 0, 2);
    charts->addWidget(grid_, 0, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(status_);
    layout->addWidget(progress_);
    layout->addLayout(buttons);
    layout->addLayout(charts, 1);
    layout->addWidget(command_);
    setState(State::Idle);
}

// Closing the explorer stops the run cleanly: the child writes a snapshot, and the run can be resumed.
TrainingPanel::~TrainingPanel() { process_->stopAndWait(120000); }

QString TrainingPanel::commandLine() const { return command_->toPlainText(); }

QString TrainingPanel::latestSnapshot() const
{
    const QString latest = QDir(outDir_).filePath(QStringLiteral("latest.dermgan"));
    return !outDir_.isEmpty() && QFile::exists(latest) ? latest : QString();
}

void TrainingPanel::start(const QStringList& arguments, const QString& outDir, double kimg)
{
    if (process_->running())
        return;
    outDir_ = outDir;
    startArguments_ = arguments;
    kimg_ = kimg;
    kimgDone_ = 0;
    latestGrid_.clear();
    grid_->setImage({});
    resetCharts();
    launch(arguments);
}

void TrainingPanel::pause()
{
    if (state_ != State::Running)
        return;
    setState(State::Pausing);
    process_->interrupt();
}

void TrainingPanel::resume()
{
    if (state_ != State::Paused && state_ != State::Failed)
        return;
    // The command that started the run, continued from its latest snapshot (a resumed run keeps its stored
    // configuration; for federated-sim every institution resumes from the last round all of them completed).
    QStringList arguments = startArguments_;
    if (!arguments.contains(QStringLiteral("--resume")))
        arguments << QStringLiteral("--resume") << QStringLiteral("latest");
    launch(arguments);
}

void TrainingPanel::cancel()
{
    if (state_ == State::Running || state_ == State::Pausing) {
        setState(State::Cancelling);
        process_->interrupt();
    } else if (state_ == State::Paused) {
        setState(State::Cancelled);
    }
}

void TrainingPanel::launch(const QStringList& arguments)
{
    arguments_ = arguments;
    arguments_ << QStringLiteral("--json");
    command_->setPlainText(CliProcess::commandLine(arguments_));
    if (process_->start(arguments_))
        setState(State::Running);
}

void TrainingPanel::resetCharts()
{
    lines_ = 0;
    for (auto* series : {lossG_, lossDReal_, lossDFake_, augmentP_, secPerKimg_})
        series->clear();
}

void TrainingPanel::addStats(const QJsonObject& stats)
{
    if (!stats.contains(QStringLiteral("kimg")) || !stats.contains(QStringLiteral("loss_g")))
        return;
    if (stats.value(QStringLiteral("site")).toInt(0) != 0)
        return;  // a federated run: the charts follow institution 0 (each site's kimg is its own)
    const double kimg = stats.value(QStringLiteral("kimg")).toDouble();
    lossG_->append(kimg, stats.value(QStringLiteral("loss_g")).toDouble());
    lossDReal_->append(kimg, stats.value(QStringLiteral("loss_d_real")).toDouble());
    lossDFake_->append(kimg, stats.value(QStringLiteral("loss_d_fake")).toDouble());
    augmentP_->append(kimg, stats.value(QStringLiteral("augment_p")).toDouble());
    secPerKimg_->append(kimg, stats.value(QStringLiteral("sec_per_kimg")).toDouble());
    for (auto* chart : {lossChart_, augmentChart_, speedChart_})
        fitAxes(chart);
    ++lines_;
    kimgDone_ = kimg;
    progress_->setValue(static_cast<int>(100.0 * std::min(1.0, kimg / std::max(kimg_, 1e-9))));
    const double secPerKimg = stats.value(QStringLiteral("sec_per_kimg")).toDouble();
    status_->setText(tr("Training: kimg %1 of %2 · %3 sec/kimg · %4 img/s · about %5 min left")
                         .arg(kimg, 0, 'f', 2)
                         .arg(kimg_, 0, 'f', 2)
                         .arg(secPerKimg, 0, 'f', 1)
                         .arg(stats.value(QStringLiteral("images_per_sec")).toDouble(), 0, 'f', 1)
                         .arg(std::max(0.0, (kimg_ - kimg) * secPerKimg / 60.0), 0, 'f', 0));
    refreshGrid();
    Q_EMIT tick(stats);
}

void TrainingPanel::refreshGrid()
{
    // Newest first by time: names sort badly once some checkpoints are fractional (fakes-000001.500 < 000001).
    const QStringList grids = QDir(outDir_).entryList({QStringLiteral("fakes-*.png")}, QDir::Files, QDir::Time);
    if (grids.isEmpty())
        return;
    const QString newest = QDir(outDir_).filePath(grids.first());
    if (newest == latestGrid_)
        return;
    QImage image(newest);
    if (image.isNull())
        return;  // still being written: the next tick picks it up
    latestGrid_ = newest;
    grid_->setImage(image);
    grid_->setToolTip(tr("Sample grid %1 (fixed seeds: compare grids across the run)").arg(grids.last()));
}

void TrainingPanel::onFinished(int exitCode)
{
    refreshGrid();
    if (exitCode == 0) {
        setState(State::Finished);
        return;
    }
    if (exitCode == cli::kCancelled) {
        setState(state_ == State::Cancelling ? State::Cancelled : State::Paused);
        return;
    }
    setState(State::Failed);
    const QString reason = process_->lastErrorLine();
    Q_EMIT failed(reason.isEmpty() ? tr("dermgan train stopped with exit code %1").arg(exitCode) : reason);
}

void TrainingPanel::setState(State state)
{
    state_ = state;
    const bool running = state == State::Running;
    pause_->setEnabled(running);
    resume_->setEnabled(state == State::Paused || (state == State::Failed && !latestSnapshot().isEmpty()));
    cancel_->setEnabled(running || state == State::Paused || state == State::Pausing);
    open_->setEnabled(!latestSnapshot().isEmpty() && state != State::Running);
    switch (state) {
    case State::Idle:
        break;
    case State::Running:
        status_->setText(tr("Training: preparing the data (decoding images the first time, then from the cache)…"));
        break;
    case State::Pausing:
        status_->setText(tr("Pausing after the current step (writing a snapshot)…"));
        break;
    case State::Paused:
        status_->setText(tr("Paused at kimg %1 of %2; Resume continues from the snapshot.").arg(kimgDone_, 0, 'f', 2).arg(kimg_, 0, 'f', 2));
        break;
    case State::Cancelling:
        status_->setText(tr("Cancelling after the current step (writing a snapshot)…"));
        break;
    case State::Cancelled:
        status_->setText(tr("Cancelled at kimg %1. The snapshot in %2 can still be continued with the command below and --resume latest.")
                             .arg(kimgDone_, 0, 'f', 2)
                             .arg(outDir_));
        break;
    case State::Finished:
        progress_->setValue(100);
        status_->setText(tr("Finished: %1 kimg. Open the latest snapshot to explore it.").arg(kimgDone_, 0, 'f', 2));
        break;
    case State::Failed:
        status_->setText(tr("Training stopped with an error (see the message); fix it and Resume, or start a new run."));
        break;
    }
    Q_EMIT stateChanged(state);
}

} // namespace dermgan::ui
