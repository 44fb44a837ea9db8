#include "main_window.h"

#include <algorithm>
#include <fstream>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QScreen>
#include <QScrollArea>
#include <QPushButton>
#include <QEventLoop>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QUndoStack>

#include "embedding_view.h"
#include "io/file_errors.h"
#include "gallery_view.h"
#include "generator_view.h"
#include "metrics_view.h"
#include "projection_view.h"
#include "reader_study_view.h"
#include "training_panel.h"
#include "training_wizard.h"
#include "io/atomic_file.h"
#include "render_queue.h"

namespace dermgan::ui {

namespace {

constexpr int kMaxRecent = 8;
const char* kRecentKey = "recentModels";

bool isDirectionFile(const QString& path) { return path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive); }
// dermgan's own files, and StyleGAN2-ADA networks converted by packaging/stylegan2_to_npz.py.
bool isModelFile(const QString& path) { return path.endsWith(QLatin1String(".dermgan")) || path.endsWith(QLatin1String(".npz")); }

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("dermgan explorer"));
    setAcceptDrops(true);
    resize(1320, 780);
    undo_ = new QUndoStack(this);

    startPage_ = new QLabel;
    startPage_->setObjectName(QStringLiteral("startPage"));
    startPage_->setAlignment(Qt::AlignCenter);
    startPage_->setWordWrap(true);
    startPage_->setTextFormat(Qt::RichText);
    startPage_->setText(tr("<h2>No generator loaded</h2>"
                           "<p>Open a generator (<b>File &gt; Open model…</b>, or drop a <code>.dermgan</code> file here).</p>"
                           "<p>The bundled models are in the <code>models/</code> folder. Train your own with "
                           "<b>Train &gt; New training run…</b> (Ctrl+T), or on a server with<br>"
                           "<code>dermgan train ../shared/data/ham10000 --out runs/ham64 --kimg 50</code></p>"
                           "<p>Inspect and split a dataset:<br>"
                           "<code>dermgan dataset inspect ../shared/data/ham10000</code></p>"));
    startPage_->setAccessibleName(tr("Start page"));

    generator_ = new GeneratorView(undo_);
    map_ = new EmbeddingView;
    projection_ = new ProjectionView;
    gallery_ = new GalleryView;
    metrics_ = new MetricsView;
    readerStudy_ = new ReaderStudyView;
    tabs_ = new QTabWidget;
    tabs_->addTab(generator_, tr("&Generate"));
    tabs_->addTab(gallery_, tr("Ga&llery"));
    tabs_->addTab(projection_, tr("&Project"));
    tabs_->addTab(map_, tr("&Map"));
    tabs_->addTab(metrics_, tr("E&valuate"));
    tabs_->addTab(readerStudy_, tr("Rea&der study"));
    pages_ = new QStackedWidget;
    pages_->addWidget(startPage_);
    pages_->addWidget(tabs_);
    setCentralWidget(pages_);

    card_ = new QTextBrowser;
    card_->setObjectName(QStringLiteral("modelCard"));
    card_->setAccessibleName(tr("Model card"));
    card_->setOpenExternalLinks(false);
    card_->setMinimumWidth(200);
    auto* dock = new QDockWidget(tr("Model card"), this);
    dock->setObjectName(QStringLiteral("modelCardDock"));
    dock->setWidget(card_);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    dock->hide();

    training_ = new TrainingPanel;
    trainingDock_ = new QDockWidget(tr("Training"), this);
    trainingDock_->setObjectName(QStringLiteral("trainingDock"));
    // In a scroll area: the panel's charts must not make the window taller than a laptop screen.
    auto* trainingScroll = new QScrollArea;
    trainingScroll->setWidget(training_);
    trainingScroll->setWidgetResizable(true);
    trainingScroll->setFrameShape(QFrame::NoFrame);
    trainingDock_->setWidget(trainingScroll);
    addDockWidget(Qt::BottomDockWidgetArea, trainingDock_);
    trainingDock_->hide();
    connect(trainingDock_, &QDockWidget::visibilityChanged, this, [this] { keepOnScreen(); });
    connect(training_, &TrainingPanel::failed, this,
            [this](const QString& message) { reportError(tr("Training stopped"), message, tr("Fix the dataset or options, then Resume or start a new run.")); });
    connect(training_, &TrainingPanel::openSnapshot, this, [this](const QString& path) {
        if (const QString error = openModel(path); !error.isEmpty())
            reportError(tr("Cannot open the snapshot"), error, tr("The run may still be writing it; try again after the next tick."));
    });
    connect(readerStudy_, &ReaderStudyView::failed, this,
            [this](const QString& message) { reportError(tr("The reader study cannot go on"), message, tr("Check the dataset folder and that the study's model is open.")); });
    connect(metrics_, &MetricsView::failed, this,
            [this](const QString& message) { reportError(tr("The evaluation failed"), message, tr("Check the dataset folder: its classes must match the model's.")); });

    deviceLabel_ = new QLabel;
    frameLabel_ = new QLabel;
    statusBar()->addPermanentWidget(frameLabel_);
    statusBar()->addPermanentWidget(deviceLabel_);
    connect(generator_, &GeneratorView::frameShown, this,
            [this](double milliseconds) { frameLabel_->setText(tr("frame %1 ms").arg(milliseconds, 0, 'f', 0)); });
    connect(map_, &EmbeddingView::mapFailed, this,
            [this](const QString& message) { reportError(tr("The map failed"), message, tr("Check the dataset folder and the settings.")); });
    const auto openSeed = [this](quint32 seed, int classIndex) {
        explain::LatentRecipe recipe = generator_->recipe();
        recipe.seed = seed;
        recipe.ws.clear();
        if (classIndex >= 0)
            recipe.classIndex = classIndex;
        generator_->editRecipe(recipe, tr("Open seed %1").arg(seed));
        tabs_->setCurrentWidget(generator_);
    };
    connect(map_, &EmbeddingView::openSynthetic, this, openSeed);
    connect(projection_, &ProjectionView::openSynthetic, this, openSeed);
    connect(gallery_, &GalleryView::failed, this,
            [this](const QString& message) { reportError(tr("The gallery failed"), message, tr("Choose a folder you can write to.")); });
    connect(gallery_, &GalleryView::openRecipe, this, [this](const explain::LatentRecipe& recipe) {
        generator_->editRecipe(recipe, tr("Open from the gallery"));
        tabs_->setCurrentWidget(generator_);
    });
    connect(projection_, &ProjectionView::projectionFailed, this,
            [this](const QString& message) { reportError(tr("The projection failed"), message, tr("Choose a readable image and its diagnosis.")); });
    connect(projection_, &ProjectionView::openProjected, this, [this](const std::vector<float>& ws, int classIndex) {
        explain::LatentRecipe recipe = generator_->recipe();
        recipe.ws = ws;
        if (classIndex >= 0)
            recipe.classIndex = classIndex;
        recipe.mix.enabled = false;
        generator_->editRecipe(recipe, tr("Open projection"));
        tabs_->setCurrentWidget(generator_);
    });
    connect(projection_, &ProjectionView::projectionStarted, this,
            [this] { map_->clearProjection(tr("An image is being projected (Project tab); it shows here when done.")); });
    connect(projection_, &ProjectionView::projectionFailed, this,
            [this] { map_->clearProjection(tr("The last projection failed (Project tab): nothing to place.")); });
    connect(projection_, &ProjectionView::projectionFinished, this, [this] { map_->showProjection(projection_->outcome()); });
    connect(projection_, &ProjectionView::showOnMap, this, [this] { tabs_->setCurrentWidget(map_); });
    connect(generator_, &GeneratorView::errorOccurred, this,
            [this](const QString& message) { reportError(tr("Rendering failed"), message, tr("Check the recipe's class and layers.")); });

    buildMenus();
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    keepOnScreen();  // a size saved on a larger screen, or grown by a dock, must not open off this one
    const QString device = settings.value(QStringLiteral("device"), QStringLiteral("auto")).toString();
    device_ = device == QLatin1String("cuda") && !GeneratorSession::cudaAvailable() ? QStringLiteral("auto") : device;
    for (QAction* action : deviceGroup_->actions())
        action->setChecked(action->data().toString() == device_);
    showModelState();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open model…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open generator"), QString(),
                                                          tr("Generators (*.dermgan *.npz);;StyleGAN2-ADA imports (*.npz)"));
        if (path.isEmpty())
            return;
        if (const QString error = openModel(path); !error.isEmpty())
            reportError(tr("Cannot open the generator"), error,
                        tr("Choose a .dermgan file of dermgan train or dermgan export, or a StyleGAN2-ADA .npz of "
                           "packaging/stylegan2_to_npz.py."));
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addAction(tr("Open &directions…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open latent directions"), QString(), tr("Direction files (*.json)"));
        if (path.isEmpty())
            return;
        if (const QString error = openDirections(path); !error.isEmpty())
            reportError(tr("Cannot open the directions"), error,
                        tr("Direction files belong to one model: make them with dermgan directions for this model."));
    });
    file->addSeparator();
    auto exportAs = [this](int scale) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export synthetic image"),
                                                          session_.exportFileName(generator_->recipe(), scale), tr("PNG images (*.png)"));
        if (path.isEmpty())
            return;
        if (const QString error = exportImage(path, scale); !error.isEmpty())
            reportError(tr("Export failed"), error, tr("Choose a folder you can write to."));
    };
    QAction* exportAction = file->addAction(tr("&Export image…"), this, [exportAs] { exportAs(1); });
    exportAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addAction(tr("Export image en&larged…"), this, [this, exportAs] {
        bool ok = false;
        const int resolution = std::max(1, session_.resolution());
        const int scale = QInputDialog::getInt(
            this, tr("Export enlarged"),
            tr("Enlarge the %1x%1 image by (each pixel repeated: easier to see, no added detail):").arg(resolution),
            std::clamp(512 / resolution, 2, GeneratorSession::kMaxExportScale), 2, GeneratorSession::kMaxExportScale, 1, &ok);
        if (ok)
            exportAs(scale);
    });
    QAction* save = file->addAction(tr("&Save state…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save explorer state"), QStringLiteral("explorer-state.json"),
                                                          tr("Explorer states (*.json)"));
        if (path.isEmpty())
            return;
        if (const QString error = saveExplorerState(path); !error.isEmpty())
            reportError(tr("Cannot save the state"), error, tr("Choose a folder you can write to."));
    });
    save->setShortcut(QKeySequence::Save);
    file->addAction(tr("&Load state…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load explorer state"), QString(), tr("Explorer states (*.json)"));
        if (path.isEmpty())
            return;
        if (const QString error = loadExplorerState(path); !error.isEmpty())
            reportError(tr("Cannot load the state"), error, tr("Choose a state saved by File > Save state."));
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* train = menuBar()->addMenu(tr("&Train"));
    QAction* newRun = train->addAction(tr("&New training run…"), this, [this] {
        if (training_->state() == TrainingPanel::State::Running || training_->state() == TrainingPanel::State::Pausing) {
            reportError(tr("A run is going"), tr("a training run is already going in the training panel"),
                        tr("Pause or cancel it first: one run at a time keeps the machine responsive."));
            return;
        }
        TrainingWizard wizard(this);
        if (wizard.exec() == QDialog::Accepted)
            startTraining(wizard);
    });
    newRun->setShortcut(QKeySequence(tr("Ctrl+T")));
    train->addAction(trainingDock_->toggleViewAction());

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(findChild<QDockWidget*>(QStringLiteral("modelCardDock"))->toggleViewAction());
    QMenu* device = view->addMenu(tr("&Device"));
    deviceGroup_ = new QActionGroup(this);
    const std::pair<QString, QString> devices[] = {
        {QStringLiteral("auto"), tr("&Automatic (CUDA when available)")}, {QStringLiteral("cpu"), tr("&CPU")}, {QStringLiteral("cuda"), tr("C&UDA GPU")}};
    for (const auto& [key, label] : devices) {
        QAction* action = device->addAction(label);
        action->setCheckable(true);
        action->setData(key);
        action->setEnabled(key != QLatin1String("cuda") || GeneratorSession::cudaAvailable());
        deviceGroup_->addAction(action);
        connect(action, &QAction::triggered, this, [this, deviceKey = key] { setDevice(deviceKey); });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About dermgan"), this, [this] {
        QMessageBox::about(this, tr("About dermgan"),
                           tr("<b>dermgan %1</b><p>GAN-based generative modelling of skin-lesion images.</p>"
                              "<p>Synthetic images are marked as synthetic wherever they are shown or exported.</p>")
                               .arg(QApplication::applicationVersion()));
    });
    rebuildRecentMenu();
}

QString MainWindow::openModel(const QString& path)
{
    GeneratorSession session;
    try {
        session.load(path, device_);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    session_ = session;
    generator_->setSession(session_);
    map_->setSession(session_);
    projection_->setSession(session_);
    gallery_->setSession(session_);
    metrics_->setSession(session_);
    readerStudy_->setSession(session_);
    rememberRecent(QFileInfo(path).absoluteFilePath());
    showModelState();
    return {};
}

void MainWindow::startTraining(const TrainingWizard& wizard)
{
    trainingDock_->show();
    training_->start(wizard.arguments(), wizard.outputFolder(), wizard.kimg());
}

QString MainWindow::openDirections(const QString& path)
{
    GeneratorSession session = session_;
    try {
        session.loadDirections(path);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    session_ = session;
    generator_->setSession(session_);
    map_->setSession(session_);
    showModelState();
    return {};
}

void MainWindow::setDevice(const QString& device)
{
    if (device == device_)
        return;
    const QString previous = device_;
    device_ = device;
    QSettings().setValue(QStringLiteral("device"), device_);
    if (!session_.isLoaded())
        return;
    const auto recipe = generator_->recipe();
    const QString directions = session_.directionsPath();
    if (const QString error = openModel(session_.path()); !error.isEmpty()) {
        device_ = previous;
        reportError(tr("Cannot switch device"), error, tr("The model stays on %1.").arg(previous));
        return;
    }
    if (!directions.isEmpty() && session_.directionsPath() != directions)
        openDirections(directions);
    generator_->showRecipe(recipe);
}

QString MainWindow::saveExplorerState(const QString& path) const
{
    if (!session_.isLoaded())
        return tr("no generator is open: there is no state to save");
    const nlohmann::json state = {{"format", "dermgan-explorer-state"},
                                  {"version", 1},
                                  {"model", session_.path().toStdString()},
                                  {"model_hash", session_.hash().toStdString()},
                                  {"directions", session_.directionsPath().toStdString()},
                                  {"recipe", explain::toJson(generator_->recipe())}};
    try {
        writeTextFileAtomically(path.toStdString(), state.dump(2) + "\n");
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString MainWindow::loadExplorerState(const QString& path)
{
    nlohmann::json state;
    try {
        std::ifstream in(path.toStdString());
        if (!in)
            return tr("state file %1 cannot be read").arg(path);
        state = nlohmann::json::parse(in);
        if (!state.is_object() || state.value("format", "") != "dermgan-explorer-state")
            return tr("%1 is not an explorer state (expected format dermgan-explorer-state)").arg(path);
        // A saved state names its model's hash, and a changed model is refused; a hand-written one may leave
        // the hash empty and then takes the named file as it is.
        const QString model = QString::fromStdString(state.at("model").get<std::string>());
        const std::string hash = state.value("model_hash", "");
        const bool sameModel = session_.isLoaded() && (hash.empty() ? QFileInfo(session_.path()) == QFileInfo(model)
                                                                    : session_.hash().toStdString() == hash);
        if (!sameModel) {
            if (const QString error = openModel(model); !error.isEmpty())
                return tr("the state's model cannot be opened: %1").arg(error);
            if (!hash.empty() && session_.hash().toStdString() != hash)
                return tr("%1 has changed since the state was saved (model hash differs)").arg(model);
        }
        const QString directions = QString::fromStdString(state.value("directions", ""));
        if (!directions.isEmpty() && directions != session_.directionsPath())
            if (const QString error = openDirections(directions); !error.isEmpty())
                return error;
        const auto recipe = explain::recipeFromJson(state.at("recipe"));
        session_.requireRenderable(recipe);  // refused here, not after the old image stayed on screen
        generator_->editRecipe(recipe, tr("Load state"));
    } catch (const std::exception& e) {
        return tr("state file %1 cannot be used: %2 (File > Save state writes states that fit their model)")
            .arg(path, QString::fromStdString(errorSummary(e)));
    }
    return {};
}

QString MainWindow::exportImage(const QString& path, int scale) const
{
    if (!session_.isLoaded())
        return tr("no generator is open");
    try {
        session_.exportPng(generator_->recipe(), path, scale);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString MainWindow::startPageText() const { return startPage_->text(); }

void MainWindow::showModelState()
{
    const bool loaded = session_.isLoaded();
    pages_->setCurrentWidget(loaded ? static_cast<QWidget*>(tabs_) : startPage_);
    card_->setHtml(session_.cardHtml());
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("modelCardDock")); dock && loaded)
        dock->show();
    deviceLabel_->setText(loaded ? tr("Device: %1").arg(session_.deviceName()) : tr("No model"));
    setWindowTitle(loaded ? tr("%1 – dermgan explorer").arg(QFileInfo(session_.path()).fileName()) : tr("dermgan explorer"));
}

void MainWindow::rememberRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& path : recent)
        recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] {
            if (const QString error = openModel(path); !error.isEmpty())
                reportError(tr("Cannot open the generator"), error, tr("The file may have moved; open it with File > Open model."));
        })->setToolTip(path);
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::reportError(const QString& title, const QString& message, const QString& advice)
{
    statusBar()->showMessage(message, 10000);
    // Window-modal but not blocking: a failure reported from a background job's signal must not start a
    // nested event loop inside that signal.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setInformativeText(advice);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorDialog"));
    box->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile() && (isModelFile(url.toLocalFile()) || isDirectionFile(url.toLocalFile()))) {
            event->acceptProposedAction();
            return;
        }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        const QString error = isDirectionFile(path) ? openDirections(path) : openModel(path);
        if (!error.isEmpty())
            reportError(tr("Cannot open %1").arg(QFileInfo(path).fileName()), error, tr("Drop a .dermgan generator or its direction file."));
    }
}

void MainWindow::keepOnScreen()
{
    const QScreen* screen = this->screen();
    if (!screen || isMaximized() || isFullScreen())
        return;
    const QRect available = screen->availableGeometry();
    const QSize frameExtra = frameGeometry().size() - geometry().size();  // title bar and borders
    const QSize fitting = geometry().size().boundedTo(available.size() - frameExtra);
    if (fitting != geometry().size())
        resize(fitting);
    QRect frame = frameGeometry();
    frame.moveLeft(std::clamp(frame.left(), available.left(), std::max(available.left(), available.right() - frame.width() + 1)));
    frame.moveTop(std::clamp(frame.top(), available.top(), std::max(available.top(), available.bottom() - frame.height() + 1)));
    if (frame.topLeft() != frameGeometry().topLeft())
        move(frame.topLeft());
}

bool MainWindow::settleTrainingBeforeClose()
{
    const auto active = [](TrainingPanel::State state) {
        return state == TrainingPanel::State::Running || state == TrainingPanel::State::Pausing ||
               state == TrainingPanel::State::Cancelling;
    };
    if (!active(training_->state()))
        return true;
    QMessageBox ask(QMessageBox::Question, tr("Training in progress"), tr("A training run is writing to %1.").arg(training_->outDir()),
                    QMessageBox::NoButton, this);
    ask.setObjectName(QStringLiteral("closeWhileTraining"));
    ask.setInformativeText(tr("Pause it and quit: it first writes a snapshot (this can take half a minute), which "
                              "Training > Resume or dermgan train --resume latest continues later."));
    QPushButton* quit = ask.addButton(tr("&Pause and quit"), QMessageBox::AcceptRole);
    ask.addButton(tr("&Keep training"), QMessageBox::RejectRole);
    ask.exec();
    if (ask.clickedButton() != quit)
        return false;
    if (training_->state() == TrainingPanel::State::Running)
        training_->pause();
    // The snapshot takes seconds to write: say so instead of leaving a window that seems to hang or vanish.
    QProgressDialog saving(tr("Saving the training snapshot before quitting…"), QString(), 0, 0, this);
    saving.setObjectName(QStringLiteral("savingSnapshot"));
    saving.setWindowModality(Qt::WindowModal);
    saving.setMinimumDuration(0);
    saving.show();
    QEventLoop loop;
    connect(training_, &TrainingPanel::stateChanged, &loop, [&](TrainingPanel::State state) {
        if (!active(state))
            loop.quit();
    });
    if (active(training_->state()))
        loop.exec();
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!settleTrainingBeforeClose()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), QMainWindow::saveState());
    QMainWindow::closeEvent(event);
}

} // namespace dermgan::ui
