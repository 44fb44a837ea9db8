// dermgan-explorer: start-up of the Qt latent-space explorer. With no model argument it opens the bundled
// conditional generator (models/ham64-cond.dermgan), so the first start shows synthetic lesions.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include "common/exit_codes.h"
#include "common/runtime.h"
#include "embedding_view.h"
#include "gallery_view.h"
#include "generator_view.h"
#include "projection_view.h"
#include "reader_study_view.h"
#include "main_window.h"
#include "metrics/feature_extractor.h"
#include "metrics_view.h"
#include "training_panel.h"
#include "training_wizard.h"
#include "render_queue.h"

namespace {

QString bundledGenerator()
{
    try {
        return QString::fromStdString(dermgan::metrics::bundledModelPath("ham64-cond.dermgan").string());
    } catch (const std::exception&) {
        return {};  // not bundled here: the start page says how to get a model
    }
}

} // namespace

int main(int argc, char** argv)
{
    Q_INIT_RESOURCE(resources);  // the .qrc lives in the static dermgan_ui library
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("dermgan-explorer"));
    QApplication::setApplicationDisplayName(QStringLiteral("dermgan explorer"));
    QApplication::setOrganizationName(QStringLiteral("dermgan"));
    QApplication::setApplicationVersion(QStringLiteral(DERMGAN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/dermgan.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Browse, project into and evaluate GANs of skin-lesion images."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"), QStringLiteral("Generator (.dermgan) to open; default: the bundled one."));
    const QCommandLineOption directions(QStringLiteral("directions"), QStringLiteral("Direction file to load."), QStringLiteral("file"));
    const QCommandLineOption state(QStringLiteral("state"), QStringLiteral("Explorer state to restore."), QStringLiteral("file"));
    const QCommandLineOption noModel(QStringLiteral("no-model"), QStringLiteral("Start without opening a model."));
    const QCommandLineOption map(QStringLiteral("map"),
                                 QStringLiteral("Open the Map tab and compute a UMAP of <dataset>'s test images beside synthetic ones."),
                                 QStringLiteral("dataset"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a PNG of the window to <file> once the first frame shows, then quit."),
                                        QStringLiteral("file"));
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Open the Project tab and project <image> (300 steps, W); "
                                                                          "with --tab map, show it on the Map tab when done."),
                                     QStringLiteral("image"));
    const QCommandLineOption projectClass(QStringLiteral("project-class"), QStringLiteral("Diagnosis index of the --project image."),
                                          QStringLiteral("index"), QStringLiteral("0"));
    const QCommandLineOption gallery(QStringLiteral("gallery"), QStringLiteral("Open the Gallery tab and generate it."));
    const QCommandLineOption neighbours(QStringLiteral("neighbours"),
                                        QStringLiteral("Dataset whose training images are searched for the --project image's real neighbours."),
                                        QStringLiteral("dataset"));
    const QCommandLineOption tab(QStringLiteral("tab"),
                                 QStringLiteral("Start on this tab: generate, gallery, project, map, evaluate or reader-study."), QStringLiteral("name"));
    const QCommandLineOption readerStudy(QStringLiteral("reader-study"),
                                         QStringLiteral("Open the Reader study tab and start a study of 10 + 10 images with "
                                                        "<dataset>'s test split (answers in a temporary file unless "
                                                        "--reader-study-file names one)."),
                                         QStringLiteral("dataset"));
    const QCommandLineOption readerStudyFile(QStringLiteral("reader-study-file"),
                                             QStringLiteral("Where --reader-study saves its session."), QStringLiteral("file"));
    const QCommandLineOption readerStudySession(QStringLiteral("reader-study-session"),
                                                QStringLiteral("Open the Reader study tab on a saved session: at its next image, or "
                                                               "at its results when every image is answered."),
                                                QStringLiteral("file"));
    const QCommandLineOption evaluate(QStringLiteral("evaluate"), QStringLiteral("Open the Evaluate tab (with the report beside the model)."));
    const QCommandLineOption wizard(QStringLiteral("wizard"), QStringLiteral("Open the training wizard on <dataset>."), QStringLiteral("dataset"));
    const QCommandLineOption train(QStringLiteral("train"),
                                   QStringLiteral("Start a 1 kimg 64x64 training run on <dataset> into --train-out (a demonstration)."),
                                   QStringLiteral("dataset"));
    const QCommandLineOption federated(QStringLiteral("federated"),
                                       QStringLiteral("With --wizard or --train: federated across the split's 3 institutions."));
    const QCommandLineOption trainOut(QStringLiteral("train-out"), QStringLiteral("Output folder of --train."), QStringLiteral("folder"));
    parser.addOptions({directions, state, noModel, tab, map, project, projectClass, neighbours, gallery, readerStudy, readerStudyFile,
                       readerStudySession, evaluate, wizard, train, federated,
                       trainOut, screenshot});
    parser.process(app);

    const QStringList tabNames{"generate", "gallery", "project", "map", "evaluate", "reader-study"};  // in the window's order
    if (parser.isSet(tab) && !tabNames.contains(parser.value(tab))) {
        qCritical("dermgan-explorer: --tab %s is not a tab; expected generate, gallery, project, map, evaluate or reader-study",
                  qPrintable(parser.value(tab)));
        return dermgan::cli::kUsageError;
    }
    dermgan::configureThreads();  // LibTorch would otherwise use one core
    dermgan::ui::MainWindow window;
    window.show();
    const QString model = !parser.positionalArguments().isEmpty() ? parser.positionalArguments().first()
                          : parser.isSet(noModel)                 ? QString()
                                                                  : bundledGenerator();
    QString error;
    if (!model.isEmpty())
        error = window.openModel(model);
    if (error.isEmpty() && parser.isSet(directions))
        error = window.openDirections(parser.value(directions));
    if (error.isEmpty() && parser.isSet(state))
        error = window.loadExplorerState(parser.value(state));
    if (error.isEmpty() && parser.isSet(tab))
        window.tabs()->setCurrentIndex(static_cast<int>(tabNames.indexOf(parser.value(tab))));
    if (error.isEmpty() && parser.isSet(map)) {
        dermgan::ui::MapJob job;
        job.data = parser.value(map);
        window.embeddingView()->setJob(job);
        window.tabs()->setCurrentWidget(window.embeddingView());
        window.embeddingView()->compute();
    }
    if (error.isEmpty() && parser.isSet(gallery)) {
        window.tabs()->setCurrentWidget(window.galleryView());
        window.galleryView()->generate();
    }
    if (error.isEmpty() && parser.isSet(project)) {
        dermgan::ui::ProjectionJob job;
        job.image = parser.value(project);
        job.classIndex = parser.value(projectClass).toInt();
        window.projectionView()->setJob(job);
        window.projectionView()->setNeighbourData(parser.value(neighbours));
        window.tabs()->setCurrentWidget(window.projectionView());
        if (parser.value(tab) == QLatin1String("map"))  // where the projection falls, once it is done
            QObject::connect(window.projectionView(), &dermgan::ui::ProjectionView::projectionFinished, &window,
                             [&window] { window.tabs()->setCurrentWidget(window.embeddingView()); }, Qt::SingleShotConnection);
        window.projectionView()->start();
    }
    if (error.isEmpty() && parser.isSet(evaluate))
        window.tabs()->setCurrentWidget(window.metricsView());
    QTemporaryDir studyFolder;
    if (error.isEmpty() && parser.isSet(readerStudy)) {
        dermgan::ui::ReaderStudySetup setup;
        setup.dataset = parser.value(readerStudy);
        setup.perSource = 10;
        setup.askDiagnosis = true;
        window.readerStudyView()->setSetup(setup);
        window.tabs()->setCurrentWidget(window.readerStudyView());
        window.readerStudyView()->startNew(parser.isSet(readerStudyFile) ? parser.value(readerStudyFile)
                                                                          : studyFolder.filePath(QStringLiteral("study.json")));
    } else if (error.isEmpty() && parser.isSet(readerStudySession)) {
        window.tabs()->setCurrentWidget(window.readerStudyView());
        window.readerStudyView()->resume(parser.value(readerStudySession));
    }
    dermgan::ui::TrainingWizard trainingWizard(&window);
    if (error.isEmpty() && (parser.isSet(wizard) || parser.isSet(train))) {
        trainingWizard.setDataset(parser.value(parser.isSet(wizard) ? wizard : train));
        if (parser.isSet(federated))
            trainingWizard.setFederated(0.1);
        trainingWizard.show();
    }
    if (error.isEmpty() && parser.isSet(train)) {
        // Starts as soon as the dataset is inspected: a short run with ticks and grids often enough to watch.
        if (!parser.isSet(trainOut)) {
            qCritical("dermgan-explorer: --train needs --train-out FOLDER");
            return dermgan::cli::kUsageError;
        }
        trainingWizard.setOutputFolder(parser.value(trainOut));
        trainingWizard.setKimg(1);
        // (Federated: a sample grid after every 0.1 kimg round.)
        trainingWizard.setExtraOptions(parser.isSet(federated) ? QStringLiteral("--tick 0.02 --keep-every 1")
                                                               : QStringLiteral("--snap 0.1 --tick 0.02"));
        QObject::connect(&trainingWizard, &dermgan::ui::TrainingWizard::datasetInspected, &window, [&](bool ok) {
            if (!ok)
                return;
            trainingWizard.hide();
            window.startTraining(trainingWizard);
        }, Qt::SingleShotConnection);
    }
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        auto grab = [&window, file] { QApplication::exit(window.grab().save(file) ? 0 : 1); };
        if (!error.isEmpty()) {
            qCritical("dermgan-explorer: %s", qPrintable(error));
            return dermgan::cli::kInputError;
        }
        // A failure would wait behind its dialog for a click that never comes: say it and stop.
        QObject::connect(window.readerStudyView(), &dermgan::ui::ReaderStudyView::failed, &window, [](const QString& message) {
            qCritical("dermgan-explorer: %s", qPrintable(message));
            QApplication::exit(dermgan::cli::kInputError);
        });
        if (parser.isSet(wizard))  // the wizard's dataset page with the inspected dataset (or its setting page)
            QObject::connect(&trainingWizard, &dermgan::ui::TrainingWizard::datasetInspected, &window,
                             [&trainingWizard, file, setting = parser.isSet(federated)] {
                if (setting)
                    trainingWizard.next();
                QTimer::singleShot(300, [&trainingWizard, file] { QApplication::exit(trainingWizard.grab().save(file) ? 0 : 1); });
            }, Qt::SingleShotConnection);
        else if (parser.isSet(train))  // a few ticks and a sample grid into the run
            QObject::connect(window.trainingPanel(), &dermgan::ui::TrainingPanel::tick, &window, [&window, grab] {
                if (window.trainingPanel()->statsLines() == 12)
                    QTimer::singleShot(300, grab);
            });
        else if (model.isEmpty() || parser.isSet(evaluate))
            QTimer::singleShot(800, &window, grab);
        else if (parser.isSet(gallery))  // the filled gallery
            QObject::connect(window.galleryView(), &dermgan::ui::GalleryView::galleryReady, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
        else if (parser.isSet(project))  // the finished projection
            QObject::connect(window.projectionView(), &dermgan::ui::ProjectionView::projectionFinished, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
        else if (parser.isSet(readerStudy) || parser.isSet(readerStudySession))  // its first image, or its results
            QObject::connect(window.readerStudyView(), &dermgan::ui::ReaderStudyView::studyStarted, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
        else if (parser.isSet(map))  // the finished map
            QObject::connect(window.embeddingView(), &dermgan::ui::EmbeddingView::mapReady, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
        else  // the first frame, then a moment for the layout
            QObject::connect(window.generatorView()->renderQueue(), &dermgan::ui::RenderQueue::idle, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
    } else if (!error.isEmpty()) {
        QMessageBox::warning(&window, QObject::tr("Cannot open"), error);
    }
    return QApplication::exec();
}
