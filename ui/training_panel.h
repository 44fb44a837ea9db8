#pragma once
// The background training panel: runs a `dermgan train` command (from the wizard) as a child process and
// shows it live: progress and speed, loss / ADA p / sec-per-kimg charts, the latest sample grid. Pause
// stops the run cleanly (a snapshot is written) and Resume continues it from that snapshot; Cancel ends it;
// a finished run's snapshot opens in the explorer. The window stays responsive throughout: all the work
// is in the other process.
#include <QJsonObject>
#include <QWidget>

class QLabel;
class QLineSeries;
class QChart;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace dermgan::ui {

class CliProcess;
class SyntheticImageView;

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Running, Pausing, Paused, Cancelling, Cancelled, Finished, Failed };
    Q_ENUM(State)

    explicit TrainingPanel(QWidget* parent = nullptr);
    ~TrainingPanel() override;

    // Starts `arguments` (a `train` command) writing into `outDir` for `kimg` in total.
    void start(const QStringList& arguments, const QString& outDir, double kimg);
    void pause();
    void resume();
    void cancel();

    State state() const { return state_; }
    QString outDir() const { return outDir_; }
    QString commandLine() const;
    int statsLines() const { return lines_; }  // stats lines shown on the charts
    double kimgDone() const { return kimgDone_; }
    QString latestGrid() const { return latestGrid_; }
    QString latestSnapshot() const;

Q_SIGNALS:
    void stateChanged(TrainingPanel::State state);
    void tick(const QJsonObject& stats);
    void failed(const QString& message);
    void openSnapshot(const QString& path);

private:
    void launch(const QStringList& arguments);
    void addStats(const QJsonObject& stats);
    void onFinished(int exitCode);
    void setState(State state);
    void refreshGrid();
    void resetCharts();

    CliProcess* process_ = nullptr;
    State state_ = State::Idle;
    QStringList arguments_;
    QString outDir_, latestGrid_;
    QStringList startArguments_;  // the command that started the run: Resume repeats it with --resume latest
    double kimg_ = 0, kimgDone_ = 0;
    int lines_ = 0;
    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPlainTextEdit* command_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* resume_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* open_ = nullptr;
    QChart* lossChart_ = nullptr;
    QChart* augmentChart_ = nullptr;
    QChart* speedChart_ = nullptr;
    QLineSeries* lossG_ = nullptr;
    QLineSeries* lossDReal_ = nullptr;
    QLineSeries* lossDFake_ = nullptr;
    QLineSeries* augmentP_ = nullptr;
    QLineSeries* secPerKimg_ = nullptr;
    SyntheticImageView* grid_ = nullptr;
};

} // namespace dermgan::ui
