#include "reader_study_view.h"

#include <cmath>

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include "background_job.h"
#include "io/atomic_file.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

constexpr int kShownMinimum = 256;  // both kinds are scaled alike to fill the image area, at least this large
constexpr int kThumbnail = 96;
constexpr qint64 kMinimumLookMs = 250;

QString proportionText(const metrics::Proportion& p)
{
    if (p.total == 0)
        return QStringLiteral("–");
    return QStringLiteral("%1 [%2, %3] (%4 of %5)")
        .arg(p.value, 0, 'f', 3)
        .arg(p.low, 0, 'f', 3)
        .arg(p.high, 0, 'f', 3)
        .arg(p.successes)
        .arg(p.total);
}

// A results thumbnail: the SYNTHETIC badge back on generated images, a green frame when the reader was
// right and a red one when wrong.
QIcon resultTile(const QImage& image, bool synthetic, bool right)
{
    QImage tile = image.scaled(kThumbnail, kThumbnail, Qt::IgnoreAspectRatio, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB32);
    QPainter painter(&tile);
    if (synthetic)
        paintSyntheticBadge(painter, tile.rect());
    painter.setPen(QPen(right ? QColor(30, 160, 60) : QColor(200, 40, 40), 4));
    painter.drawRect(tile.rect().adjusted(2, 2, -2, -2));
    painter.end();
    return QIcon(QPixmap::fromImage(tile));
}

} // namespace

ReaderStudyView::ReaderStudyView(QWidget* parent) : QWidget(parent)
{
    pages_ = new QStackedWidget;
    buildSetupPage();
    buildTestPage();
    buildResultsPage();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(pages_);
}

void ReaderStudyView::prepared()
{
    startButton_->setEnabled(true);
    resumeButton_->setEnabled(true);
    progress_->hide();
    try {
        if (job_.cancelled())
            throw CancelledError();  // paused, or another model opened, after the job's last check
        study_ = job_.result();
    } catch (const CancelledError&) {
        setupStatus_->setText(tr("Cancelled."));
        return;
    } catch (const std::exception& e) {
        setupStatus_->setText(QString::fromStdString(e.what()));
        Q_EMIT failed(QString::fromStdString(e.what()));
        return;
    }
    if (newStudy_ && !save())  // a resumed session is on disk already (and may be read-only)
        return;
    current_ = static_cast<int>(study_.session.nextTrial());
    Q_EMIT studyStarted();
    if (study_.session.complete())
        showResults();
    else
        showCurrent();
}

void ReaderStudyView::buildSetupPage()
{
    reader_ = new QLineEdit;
    reader_->setPlaceholderText(tr("a name or code, kept in the session file"));
    reader_->setAccessibleName(tr("Reader"));
    dataset_ = new QLineEdit;
    dataset_->setAccessibleName(tr("Dataset of the real images"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* datasetRow = new QHBoxLayout;
    datasetRow->addWidget(dataset_, 1);
    datasetRow->addWidget(browse);
    subset_ = new QComboBox;
    subset_->addItem(tr("test (held out)"), QStringLiteral("test"));
    subset_->addItem(tr("validation (held out)"), QStringLiteral("val"));
    subset_->addItem(tr("train (the model saw these)"), QStringLiteral("train"));
    subset_->setAccessibleName(tr("Real images from"));
    perSource_ = new QSpinBox;
    perSource_->setRange(2, 500);
    perSource_->setValue(20);
    perSource_->setAccessibleName(tr("Images of each kind"));
    psi_ = new QDoubleSpinBox;
    psi_->setRange(0.0, 1.5);
    psi_->setSingleStep(0.05);
    psi_->setValue(1.0);
    psi_->setAccessibleName(tr("Truncation psi of the synthetic images"));
    psi_->setToolTip(tr("1 = no truncation: the model's full variety. Below 1 makes typical lesions with fewer artefacts."));
    seed_ = new QSpinBox;
    seed_->setRange(0, 1000000);
    seed_->setAccessibleName(tr("Study seed"));
    seed_->setToolTip(tr("Chooses the images and their order; the same seed shows another reader the same series."));
    askDiagnosis_ = new QCheckBox(tr("Also ask for the diagnosis"));
    startButton_ = new QPushButton(tr("&Start a new study…"));
    resumeButton_ = new QPushButton(tr("&Resume a study…"));
    progress_ = new QProgressBar;
    progress_->hide();
    setupStatus_ = new QLabel;
    setupStatus_->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Reader"), reader_);
    form->addRow(tr("Real images from"), datasetRow);
    form->addRow(tr("Split"), subset_);
    form->addRow(tr("Images of each kind"), perSource_);
    form->addRow(tr("Truncation ψ"), psi_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(QString(), askDiagnosis_);
    auto* intro = new QLabel(tr("<p><b>Can readers tell this model's lesions from real ones?</b> The study shows real "
                                "lesions from a held-out split and as many synthetic lesions of the same diagnoses, "
                                "shuffled, at the same size, without any mark. For each, answer <i>real</i> or "
                                "<i>synthetic</i> and how sure you are. Every answer is saved at once; pause and resume "
                                "whenever you like. The marks come back on the results page.</p>"));
    intro->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(startButton_);
    buttons->addWidget(resumeButton_);
    buttons->addStretch(1);
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(progress_);
    layout->addWidget(setupStatus_);
    layout->addStretch(1);
    pages_->addWidget(page);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Dataset of the real images"), dataset_->text());
        if (!folder.isEmpty())
            dataset_->setText(folder);
    });
    const auto studiesFolder = [] {
        const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/reader-studies");
        QDir().mkpath(folder);
        return folder;
    };
    connect(startButton_, &QPushButton::clicked, this, [this, studiesFolder] {
        const QString name = (reader_->text().isEmpty() ? QStringLiteral("reader") : reader_->text()) + QStringLiteral("-study.json");
        const QString file = QFileDialog::getSaveFileName(this, tr("Save the study's answers to"), QDir(studiesFolder()).filePath(name),
                                                          tr("Reader study (*.json)"));
        if (!file.isEmpty())
            startNew(file);
    });
    connect(resumeButton_, &QPushButton::clicked, this, [this, studiesFolder] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Resume a reader study"), studiesFolder(), tr("Reader study (*.json)"));
        if (!file.isEmpty())
            resume(file);
    });
}

void ReaderStudyView::buildTestPage()
{
    counter_ = new QLabel;
    counter_->setObjectName(QStringLiteral("readerCounter"));
    image_ = new QLabel;
    image_->setObjectName(QStringLiteral("readerImage"));
    image_->setMinimumSize(kShownMinimum, kShownMinimum);
    image_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    image_->installEventFilter(this);
    image_->setAlignment(Qt::AlignCenter);
    image_->setAccessibleName(tr("The image to judge"));
    confidence_ = new QButtonGroup(this);
    auto* confidenceRow = new QHBoxLayout;
    confidenceRow->addWidget(new QLabel(tr("How sure?")));
    const QStringList levels = {tr("1 guess"), tr("2"), tr("3"), tr("4"), tr("5 certain")};
    for (int level = 1; level <= 5; ++level) {
        auto* button = new QRadioButton(levels[level - 1]);
        confidence_->addButton(button, level);
        confidenceRow->addWidget(button);
    }
    confidenceRow->addStretch(1);
    diagnosis_ = new QComboBox;
    diagnosis_->setAccessibleName(tr("Your diagnosis"));
    diagnosisLabel_ = new QLabel(tr("Diagnosis"));
    auto* diagnosisRow = new QHBoxLayout;
    diagnosisRow->addWidget(diagnosisLabel_);
    diagnosisRow->addWidget(diagnosis_);
    diagnosisRow->addStretch(1);
    auto* real = new QPushButton(tr("&Real  (R)"));
    auto* synthetic = new QPushButton(tr("&Synthetic  (S)"));
    auto* pauseButton = new QPushButton(tr("Pa&use"));
    pauseButton->setToolTip(tr("Your answers are saved; resume the study later"));
    auto* answerRow = new QHBoxLayout;
    answerRow->addStretch(1);
    answerRow->addWidget(real);
    answerRow->addWidget(synthetic);
    answerRow->addStretch(1);
    answerRow->addWidget(pauseButton);

    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(counter_);
    layout->addWidget(image_, 1);
    layout->addLayout(confidenceRow);
    layout->addLayout(diagnosisRow);
    layout->addLayout(answerRow);
    pages_->addWidget(page);

    const auto answerWith = [this](bool saidSynthetic) {
        // A double click or a held key must not answer the next image before the reader has seen it.
        if (shownFor_.isValid() && shownFor_.elapsed() < kMinimumLookMs)
            return;
        answer(saidSynthetic, confidence_->checkedId() > 0 ? confidence_->checkedId() : 3, diagnosis_->currentData().toInt());
    };
    connect(real, &QPushButton::clicked, this, [answerWith] { answerWith(false); });
    connect(synthetic, &QPushButton::clicked, this, [answerWith] { answerWith(true); });
    connect(pauseButton, &QPushButton::clicked, this, &ReaderStudyView::pause);
    // Plain R and S (and 1-5 for the confidence) keep the reader's eyes on the image.
    for (const bool saidSynthetic : {false, true}) {
        auto* shortcut = new QShortcut(QKeySequence(saidSynthetic ? Qt::Key_S : Qt::Key_R), page);
        shortcut->setAutoRepeat(false);
        connect(shortcut, &QShortcut::activated, this, [answerWith, saidSynthetic] { answerWith(saidSynthetic); });
    }
    for (int level = 1; level <= 5; ++level)
        connect(new QShortcut(QKeySequence(Qt::Key_0 + level), page), &QShortcut::activated, this,
                [this, level] { confidence_->button(level)->setChecked(true); });
}

void ReaderStudyView::buildResultsPage()
{
    resultsText_ = new QTextBrowser;
    resultsText_->setObjectName(QStringLiteral("readerResults"));
    resultImages_ = new QListWidget;
    resultImages_->setViewMode(QListView::IconMode);
    resultImages_->setIconSize(QSize(kThumbnail, kThumbnail));
    resultImages_->setResizeMode(QListView::Adjust);
    resultImages_->setMovement(QListView::Static);
    resultImages_->setAccessibleName(tr("Every image of the study, synthetic ones badged; green frame = answered right"));
    auto* exportButton = new QPushButton(tr("&Export results…"));
    auto* newButton = new QPushButton(tr("&New study"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(exportButton);
    buttons->addWidget(newButton);
    buttons->addStretch(1);
    auto* page = new QWidget;
    auto* layout = new QHBoxLayout(page);
    auto* left = new QVBoxLayout;
    left->addWidget(resultsText_, 1);
    left->addLayout(buttons);
    layout->addLayout(left, 2);
    layout->addWidget(resultImages_, 3);
    pages_->addWidget(page);

    connect(exportButton, &QPushButton::clicked, this, [this] {
        QString base = QFileDialog::getSaveFileName(this, tr("Export the results (CSV and JSON)"),
                                                    QFileInfo(file_).dir().filePath(QStringLiteral("reader-study-results.csv")),
                                                    tr("CSV (*.csv)"));
        if (base.isEmpty())
            return;
        base.remove(QRegularExpression(QStringLiteral("\\.(csv|json)$")));
        if (const QString error = exportResults(base); !error.isEmpty())
            Q_EMIT failed(error);
    });
    connect(newButton, &QPushButton::clicked, this, &ReaderStudyView::pause);
}

void ReaderStudyView::setSession(const GeneratorSession& session)
{
    session_ = session;
    pause();
    if (dataset_->text().isEmpty())
        dataset_->setText(session.trainingDataset());
    const QStringList classes = session.classNames();
    askDiagnosis_->setEnabled(!classes.isEmpty());
    diagnosis_->clear();
    diagnosis_->addItem(tr("— not given —"), -1);
    for (int c = 0; c < classes.size(); ++c)
        diagnosis_->addItem(classes[c], c);
}

void ReaderStudyView::setSetup(const ReaderStudySetup& setup)
{
    reader_->setText(setup.reader);
    dataset_->setText(setup.dataset);
    subset_->setCurrentIndex(std::max(0, subset_->findData(setup.subset)));
    perSource_->setValue(setup.perSource);
    psi_->setValue(setup.psi);
    seed_->setValue(static_cast<int>(setup.seed));
    askDiagnosis_->setChecked(setup.askDiagnosis);
}

ReaderStudySetup ReaderStudyView::setup() const
{
    ReaderStudySetup s;
    s.reader = reader_->text();
    s.dataset = dataset_->text();
    s.subset = subset_->currentData().toString();
    s.perSource = perSource_->value();
    s.psi = psi_->value();
    s.seed = static_cast<quint64>(seed_->value());
    s.askDiagnosis = askDiagnosis_->isChecked();
    return s;
}

void ReaderStudyView::runInBackground(const std::function<PreparedStudy(const ProgressCallback&)>& job, const QString& file)
{
    if (job_.running())
        return;
    file_ = file;
    startButton_->setEnabled(false);
    resumeButton_->setEnabled(false);
    setupStatus_->setText(tr("Preparing the images…"));
    progress_->setRange(0, 0);
    progress_->show();
    job_.start([this, &job](const auto& stop) {
        return [job, progress = progressToBar(progress_, stop)] { return job(progress); };
    });
}

void ReaderStudyView::startNew(const QString& file)
{
    const GeneratorSession session = session_;
    const ReaderStudySetup setup = this->setup();
    newStudy_ = true;
    runInBackground([session, setup](const ProgressCallback& progress) { return prepareReaderStudy(session, setup, progress); }, file);
}

void ReaderStudyView::resume(const QString& file)
{
    const GeneratorSession session = session_;
    const std::string path = file.toStdString();
    newStudy_ = false;
    runInBackground([session, path](const ProgressCallback& progress) {
        return reloadReaderStudy(session, metrics::loadReaderStudy(path), progress);
    }, file);
}

bool ReaderStudyView::save()
{
    try {
        metrics::saveReaderStudy(study_.session, file_.toStdString());
        return true;
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        pause();
        return false;
    }
}

void ReaderStudyView::showImageScaled()
{
    if (!asking())
        return;
    const int side = std::max(kShownMinimum, std::min(image_->width(), image_->height()));
    image_->setPixmap(QPixmap::fromImage(study_.images.at(current_).scaled(side, side, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)));
}

bool ReaderStudyView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == image_ && event->type() == QEvent::Resize)
        showImageScaled();
    return QWidget::eventFilter(watched, event);
}

bool ReaderStudyView::asking() const
{
    return pages_->currentIndex() == 1 && current_ >= 0 && current_ < trialCount();
}

QImage ReaderStudyView::shownImage() const
{
    return image_->pixmap().toImage();
}

void ReaderStudyView::showCurrent()
{
    counter_->setText(tr("Image %1 of %2. Real or synthetic?").arg(current_ + 1).arg(trialCount()));
    confidence_->setExclusive(false);
    for (QAbstractButton* button : confidence_->buttons())
        button->setChecked(false);
    confidence_->setExclusive(true);
    confidence_->button(3)->setChecked(true);
    diagnosis_->setCurrentIndex(0);
    diagnosis_->setVisible(study_.session.askDiagnosis);
    diagnosisLabel_->setVisible(study_.session.askDiagnosis);
    pages_->setCurrentIndex(1);
    showImageScaled();
    shownFor_.start();
}

void ReaderStudyView::answer(bool saidSynthetic, int confidence, int diagnosis)
{
    if (!asking())
        return;
    metrics::ReaderAnswer answer;
    answer.saidSynthetic = saidSynthetic;
    answer.confidence = std::clamp(confidence, 1, 5);
    const bool knownDiagnosis = diagnosis >= 0 && diagnosis < static_cast<int>(study_.session.classNames.size());
    answer.diagnosis = study_.session.askDiagnosis && knownDiagnosis ? diagnosis : -1;
    answer.seconds = shownFor_.elapsed() / 1000.0;
    study_.session.answers[static_cast<std::size_t>(current_)] = answer;
    if (!save())
        return;
    current_ = static_cast<int>(study_.session.nextTrial());
    if (study_.session.complete()) {
        showResults();
        Q_EMIT studyFinished();
    } else {
        showCurrent();
    }
}

void ReaderStudyView::pause()
{
    job_.cancel();
    if (!file_.isEmpty() && current_ >= 0 && !study_.session.complete())
        setupStatus_->setText(tr("Paused after %1 of %2 images; the answers are in %3 (Resume to continue).")
                                  .arg(current_).arg(trialCount()).arg(QDir::toNativeSeparators(file_)));
    current_ = -1;
    pages_->setCurrentIndex(0);
}

metrics::ReaderStudyResults ReaderStudyView::results() const
{
    return metrics::summariseReaderStudy(study_.session);
}

void ReaderStudyView::showResults()
{
    const auto r = results();
    const auto& s = study_.session;
    QString html = tr("<h3>Reader study: %1 answers</h3>").arg(r.answered);
    html += tr("<p>Model %1 (%2), %3×%3, ψ %4; real images: %5, %6 split. 95% Wilson intervals.</p>")
                .arg(QString::fromStdString(s.model).toHtmlEscaped(), QString::fromStdString(s.modelHash))
                .arg(s.resolution)
                .arg(s.psi)
                .arg(QString::fromStdString(s.dataset).toHtmlEscaped(), QString::fromStdString(s.subset));
    html += QStringLiteral("<table cellpadding=3>");
    const auto row = [&html](const QString& name, const QString& value) {
        html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(name, value);
    };
    row(tr("<b>Accuracy</b> (real vs synthetic)"), QStringLiteral("<b>%1</b>").arg(proportionText(r.accuracy)));
    row(tr("Synthetic called synthetic (sensitivity)"), proportionText(r.sensitivity));
    row(tr("Real called real (specificity)"), proportionText(r.specificity));
    if (!std::isnan(r.ratingAuc))
        row(tr("Rating AUC (calls weighted by confidence)"), QString::number(r.ratingAuc, 'f', 3));
    for (const auto& d : r.perDiagnosis)
        row(tr("Accuracy on %1 images").arg(QString::fromStdString(d.className)), proportionText(d.realVsSynthetic));
    if (s.askDiagnosis) {
        row(tr("Your diagnosis right on real images"), proportionText(r.diagnosisOnReal));
        row(tr("Your diagnosis right on synthetic images"), proportionText(r.diagnosisOnSynthetic));
    }
    html += QStringLiteral("</table>");
    html += tr("<p>An accuracy of 0.5 means the synthetic lesions could not be told from real ones; an interval that "
               "stays above 0.5 means they could. The images on the right carry their SYNTHETIC mark again; a green "
               "frame is a right answer, a red one a wrong answer.</p>");
    resultsText_->setHtml(html);
    resultImages_->clear();
    for (int i = 0; i < trialCount(); ++i) {
        const auto& trial = s.trials[static_cast<std::size_t>(i)];
        const auto& answer = s.answers[static_cast<std::size_t>(i)];
        const bool right = answer && answer->saidSynthetic == trial.synthetic;
        auto* item = new QListWidgetItem(resultTile(study_.images.at(i), trial.synthetic, right), QString::number(i + 1));
        item->setToolTip(trial.synthetic ? tr("Synthetic, seed %1").arg(trial.seed) : tr("Real, %1").arg(QString::fromStdString(trial.imageId)));
        resultImages_->addItem(item);
    }
    pages_->setCurrentIndex(2);
}

QString ReaderStudyView::resultsText() const
{
    return resultsText_->toPlainText();
}

QString ReaderStudyView::exportResults(const QString& base) const
{
    if (study_.session.trials.empty())
        return tr("no study to export");
    try {
        const nlohmann::json json = {{"session", metrics::toJson(study_.session)}, {"results", metrics::toJson(results())}};
        writeTextFileAtomically((base + QStringLiteral(".json")).toStdString(), json.dump(2) + "\n");
        writeTextFileAtomically((base + QStringLiteral(".csv")).toStdString(), metrics::readerStudyCsv(study_.session));
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace dermgan::ui
