#include "explorer_startup.h"

#include <QApplication>
#include <QTabWidget>
#include <QTimer>

#include "common/exit_codes.h"
#include "embedding_view.h"
#include "gallery_view.h"
#include "generator_view.h"
#include "main_window.h"
#include "metrics_view.h"
#include "projection_view.h"
#include "reader_study_view.h"
#include "render_queue.h"
#include "training_panel.h"
#include "training_wizard.h"

namespace dermgan::ui {

QStringList startupTabNames()
{
    return {"generate", "gallery", "project", "map", "evaluate", "reader-study"};
}

ExplorerStartup::ExplorerStartup(MainWindow& window) : window_(window) {}

ExplorerStartup::~ExplorerStartup() = default;

QString ExplorerStartup::run(const StartupRequest& request)
{
    QString error;
    if (!request.model.isEmpty())
        error = window_.openModel(request.model);
    if (error.isEmpty() && !request.directions.isEmpty())
        error = window_.openDirections(request.directions);
    if (error.isEmpty() && !request.state.isEmpty())
        error = window_.loadExplorerState(request.state);
    if (!error.isEmpty())
        return error;
    if (!request.tab.isEmpty())
        window_.tabs()->setCurrentIndex(static_cast<int>(startupTabNames().indexOf(request.tab)));
    if (!request.mapDataset.isEmpty()) {
        MapJob job;
        job.data = request.mapDataset;
        window_.embeddingView()->setJob(job);
        window_.tabs()->setCurrentWidget(window_.embeddingView());
        window_.embeddingView()->compute();
    }
    if (request.gallery) {
        window_.tabs()->setCurrentWidget(window_.galleryView());
        window_.galleryView()->generate();
    }
    if (!request.projectImage.isEmpty()) {
        ProjectionJob job;
        job.image = request.projectImage;
        job.classIndex = request.projectClass;
        window_.projectionView()->setJob(job);
        window_.projectionView()->setNeighbourData(request.neighbourDataset);
        window_.tabs()->setCurrentWidget(window_.projectionView());
        if (request.tab == QLatin1String("map"))  // where the projection falls, once it is done
            QObject::connect(window_.projectionView(), &ProjectionView::projectionFinished, &window_,
                             [this] { window_.tabs()->setCurrentWidget(window_.embeddingView()); }, Qt::SingleShotConnection);
        window_.projectionView()->start();
    }
    if (request.evaluate)
        window_.tabs()->setCurrentWidget(window_.metricsView());
    if (!request.readerStudyDataset.isEmpty()) {
        ReaderStudySetup setup;
        setup.dataset = request.readerStudyDataset;
        setup.perSource = 10;
        setup.askDiagnosis = true;
        window_.readerStudyView()->setSetup(setup);
        window_.tabs()->setCurrentWidget(window_.readerStudyView());
        window_.readerStudyView()->startNew(!request.readerStudyFile.isEmpty() ? request.readerStudyFile
                                                                             : studyFolder_.filePath(QStringLiteral("study.json")));
    } else if (!request.readerStudySession.isEmpty()) {
        window_.tabs()->setCurrentWidget(window_.readerStudyView());
        window_.readerStudyView()->resume(request.readerStudySession);
    }
    const QString trainingDataset = !request.wizardDataset.isEmpty() ? request.wizardDataset : request.trainDataset;
    if (!trainingDataset.isEmpty()) {
        wizard_ = std::make_unique<TrainingWizard>(&window_);
        wizard_->setDataset(trainingDataset);
        if (request.federated)
            wizard_->setFederated(0.1);
        wizard_->show();
    }
    if (!request.trainDataset.isEmpty()) {
        // Starts as soon as the dataset is inspected: a short run with ticks and grids often enough to watch
        // (federated: a sample grid after every 0.1 kimg round).
        wizard_->setOutputFolder(request.trainOut);
        wizard_->setKimg(1);
        wizard_->setExtraOptions(request.federated ? QStringLiteral("--tick 0.02 --keep-every 1")
                                                  : QStringLiteral("--snap 0.1 --tick 0.02"));
        QObject::connect(wizard_.get(), &TrainingWizard::datasetInspected, &context_, [this](bool ok) {
            if (!ok)
                return;
            wizard_->hide();
            window_.startTraining(*wizard_);
        }, Qt::SingleShotConnection);
    }
    return {};
}

void ExplorerStartup::screenshotWhenReady(const StartupRequest& request)
{
    const QString file = request.screenshot;
    const auto grab = [this, file] { QApplication::exit(window_.grab().save(file) ? 0 : 1); };
    const auto grabSoon = [this, grab] { QTimer::singleShot(300, &context_, grab); };
    // A failure would wait behind its dialog for a click that never comes: say it and stop.
    QObject::connect(window_.readerStudyView(), &ReaderStudyView::failed, &context_, [](const QString& message) {
        qCritical("dermgan-explorer: %s", qPrintable(message));
        QApplication::exit(cli::kInputError);
    });
    if (!request.wizardDataset.isEmpty())  // the wizard's dataset page with the inspected dataset (or its setting page)
        QObject::connect(wizard_.get(), &TrainingWizard::datasetInspected, &context_, [this, file, setting = request.federated] {
            if (setting)
                wizard_->next();
            QTimer::singleShot(300, &context_, [this, file] { QApplication::exit(wizard_->grab().save(file) ? 0 : 1); });
        }, Qt::SingleShotConnection);
    else if (!request.trainDataset.isEmpty())  // a few ticks and a sample grid into the run
        QObject::connect(window_.trainingPanel(), &TrainingPanel::tick, &context_, [this, grab] {
            if (window_.trainingPanel()->statsLines() == 12)
                QTimer::singleShot(300, &context_, grab);
        });
    else if (request.model.isEmpty() || request.evaluate)
        QTimer::singleShot(800, &context_, grab);
    else if (request.gallery)  // the filled gallery
        QObject::connect(window_.galleryView(), &GalleryView::galleryReady, &context_, grabSoon, Qt::SingleShotConnection);
    else if (!request.projectImage.isEmpty())  // the finished projection
        QObject::connect(window_.projectionView(), &ProjectionView::projectionFinished, &context_, grabSoon,
                         Qt::SingleShotConnection);
    else if (!request.readerStudyDataset.isEmpty() || !request.readerStudySession.isEmpty())  // its first image, or its results
        QObject::connect(window_.readerStudyView(), &ReaderStudyView::studyStarted, &context_, grabSoon, Qt::SingleShotConnection);
    else if (!request.mapDataset.isEmpty())  // the finished map
        QObject::connect(window_.embeddingView(), &EmbeddingView::mapReady, &context_, grabSoon, Qt::SingleShotConnection);
    else  // the first frame, then a moment for the layout
        QObject::connect(window_.generatorView()->renderQueue(), &RenderQueue::idle, &context_, grabSoon,
                         Qt::SingleShotConnection);
}

} // namespace dermgan::ui
