#pragma once
// The reader study: can dermatologists tell the open model's lesions from real ones? A session shows a
// shuffled, balanced series of real images (a held-out split by default) and synthetic ones at the same size,
// with no badge while the test runs; the reader answers real or synthetic with a confidence (1-5) and,
// optionally, the diagnosis. Every answer is saved at once (the session file holds ids, seeds and answers,
// never pixels), so a study can be paused and resumed. The results page gives the accuracy with its 95%
// interval, sensitivity and specificity for "synthetic", per-diagnosis accuracy and the readers' diagnosis
// accuracy on real vs synthetic images, shows every image with its SYNTHETIC badge back, and exports CSV + JSON
// (`dermgan reader-study` pools several readers' sessions).
#include <functional>

#include <QElapsedTimer>
#include <QWidget>

#include "background_job.h"
#include "generator_session.h"
#include "reader_study_job.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTextBrowser;

namespace dermgan::ui {

class ReaderStudyView : public QWidget {
    Q_OBJECT
public:
    explicit ReaderStudyView(QWidget* parent = nullptr);

    void setSession(const GeneratorSession& session);
    void setSetup(const ReaderStudySetup& setup);
    ReaderStudySetup setup() const;

    // Plans a new study and saves it to `file` (a .json session); studyStarted follows.
    void startNew(const QString& file);
    // Reopens a saved session of the open model: at its first unanswered image, or at the results when done.
    void resume(const QString& file);
    // Records the answer to the image on screen, saves the session and shows the next image (or the results).
    // diagnosis: the model's class index, -1 = not given. Ignored when no image is being asked.
    void answer(bool saidSynthetic, int confidence, int diagnosis = -1);
    // Back to the set-up page; the session stays saved and can be resumed.
    void pause();

    bool busy() const { return job_.running(); }
    bool asking() const;                  // an image is on screen waiting for an answer
    int currentTrial() const { return current_; }
    int trialCount() const { return static_cast<int>(study_.session.trials.size()); }
    QImage shownImage() const;            // the image as the reader sees it (no badge during the test), scaled to
                                          // fill the image area, the same for both kinds
    QString sessionFile() const { return file_; }
    const metrics::ReaderStudySession& study() const { return study_.session; }
    metrics::ReaderStudyResults results() const;
    QString resultsText() const;          // the results page's text, without markup
    // Writes <base>.csv (every trial and answer) and <base>.json (session and results). Empty on success, else why.
    QString exportResults(const QString& base) const;

Q_SIGNALS:
    void studyStarted();
    void studyFinished();
    void failed(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;  // rescales the image with its area

private:
    void showImageScaled();
    void buildSetupPage();
    void buildTestPage();
    void buildResultsPage();
    void prepared();  // the background job's end: the study's first image, or why not
    void runInBackground(const std::function<PreparedStudy(const ProgressCallback&)>& job, const QString& file);
    void showCurrent();
    void showResults();
    bool save();

    GeneratorSession session_;
    PreparedStudy study_;
    QString file_;
    int current_ = -1;
    QElapsedTimer shownFor_;
    CancellableJob<PreparedStudy> job_{this, [this] { prepared(); }};
    bool newStudy_ = false;  // the job plans a new study (to be saved) rather than reopening a saved one

    QStackedWidget* pages_ = nullptr;
    // set-up
    QLineEdit* reader_ = nullptr;
    QLineEdit* dataset_ = nullptr;
    QComboBox* subset_ = nullptr;
    QSpinBox* perSource_ = nullptr;
    QDoubleSpinBox* psi_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QCheckBox* askDiagnosis_ = nullptr;
    QPushButton* startButton_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* setupStatus_ = nullptr;
    // test
    QLabel* counter_ = nullptr;
    QLabel* image_ = nullptr;
    QButtonGroup* confidence_ = nullptr;
    QComboBox* diagnosis_ = nullptr;
    QLabel* diagnosisLabel_ = nullptr;
    // results
    QTextBrowser* resultsText_ = nullptr;
    QListWidget* resultImages_ = nullptr;
};

} // namespace dermgan::ui
