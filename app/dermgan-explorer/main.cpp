// dermgan-explorer: start-up of the Qt latent-space explorer. With no model argument it opens the bundled
// conditional generator (models/ham64-cond.dermgan), so the first start shows synthetic lesions.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QTabWidget>
#include <QTimer>

#include "common/runtime.h"
#include "embedding_view.h"
#include "gallery_view.h"
#include "generator_view.h"
#include "projection_view.h"
#include "main_window.h"
#include "metrics/feature_extractor.h"
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
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Open the Project tab and project <image> (300 steps, W)."),
                                     QStringLiteral("image"));
    const QCommandLineOption projectClass(QStringLiteral("project-class"), QStringLiteral("Diagnosis index of the --project image."),
                                          QStringLiteral("index"), QStringLiteral("0"));
    const QCommandLineOption gallery(QStringLiteral("gallery"), QStringLiteral("Open the Gallery tab and generate it."));
    parser.addOptions({directions, state, noModel, map, project, projectClass, gallery, screenshot});
    parser.process(app);

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
        window.tabs()->setCurrentWidget(window.projectionView());
        window.projectionView()->start();
    }
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        auto grab = [&window, file] { QApplication::exit(window.grab().save(file) ? 0 : 1); };
        if (!error.isEmpty()) {
            qCritical("dermgan-explorer: %s", qPrintable(error));
            return 1;
        }
        if (model.isEmpty())
            QTimer::singleShot(500, &window, grab);
        else if (parser.isSet(gallery))  // the filled gallery
            QObject::connect(window.galleryView(), &dermgan::ui::GalleryView::galleryReady, &window,
                             [grab] { QTimer::singleShot(300, grab); }, Qt::SingleShotConnection);
        else if (parser.isSet(project))  // the finished projection
            QObject::connect(window.projectionView(), &dermgan::ui::ProjectionView::projectionFinished, &window,
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
