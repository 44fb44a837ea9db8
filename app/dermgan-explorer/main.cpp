// dermgan-explorer: start-up of the Qt latent-space explorer. With no model argument it opens the bundled
// conditional generator (models/ham64-cond.dermgan), so the first start shows synthetic lesions.
#include <cstdlib>

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>

#include "common/exit_codes.h"
#include "common/runtime.h"
#include "explorer_startup.h"
#include "main_window.h"
#include "metrics/feature_extractor.h"

namespace {

QString bundledGenerator()
{
    try {
        return QString::fromStdString(dermgan::metrics::bundledModelPath("ham64-cond.dermgan").string());
    } catch (const std::exception&) {
        return {};  // not bundled here: the start page says how to get a model
    }
}

// The options; `parser.process` prints --help or --version, or an unknown option's error, and exits, as this
// does for an option given an empty value.
dermgan::ui::StartupRequest parseCommandLine(const QApplication& app)
{
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
    // An empty value would read as "not asked": refuse it, naming the option.
    for (const QCommandLineOption* option : {&directions, &state, &tab, &map, &project, &projectClass, &neighbours, &readerStudy,
                                             &readerStudyFile, &readerStudySession, &wizard, &train, &trainOut, &screenshot})
        if (parser.isSet(*option) && parser.value(*option).isEmpty()) {
            qCritical("dermgan-explorer: --%s needs a value", qPrintable(option->names().constFirst()));
            std::exit(dermgan::cli::kUsageError);
        }

    dermgan::ui::StartupRequest request;
    request.model = !parser.positionalArguments().isEmpty() ? parser.positionalArguments().first()
                    : parser.isSet(noModel)                 ? QString()
                                                            : bundledGenerator();
    request.directions = parser.value(directions);
    request.state = parser.value(state);
    request.tab = parser.value(tab);
    request.mapDataset = parser.value(map);
    request.projectImage = parser.value(project);
    request.projectClass = parser.value(projectClass).toInt();
    request.neighbourDataset = parser.value(neighbours);
    request.gallery = parser.isSet(gallery);
    request.readerStudyDataset = parser.value(readerStudy);
    request.readerStudyFile = parser.value(readerStudyFile);
    request.readerStudySession = parser.value(readerStudySession);
    request.evaluate = parser.isSet(evaluate);
    request.wizardDataset = parser.value(wizard);
    request.trainDataset = parser.value(train);
    request.trainOut = parser.value(trainOut);
    request.federated = parser.isSet(federated);
    request.screenshot = parser.value(screenshot);
    return request;
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

    const dermgan::ui::StartupRequest request = parseCommandLine(app);
    if (!request.tab.isEmpty() && !dermgan::ui::startupTabNames().contains(request.tab)) {
        qCritical("dermgan-explorer: --tab %s is not a tab; expected generate, gallery, project, map, evaluate or reader-study",
                  qPrintable(request.tab));
        return dermgan::cli::kUsageError;
    }
    if (!request.trainDataset.isEmpty() && request.trainOut.isEmpty()) {
        qCritical("dermgan-explorer: --train needs --train-out FOLDER");
        return dermgan::cli::kUsageError;
    }

    dermgan::configureThreads();  // LibTorch would otherwise use one core
    dermgan::ui::MainWindow window;
    window.show();
    dermgan::ui::ExplorerStartup startup(window);
    const QString error = startup.run(request);
    if (!request.screenshot.isEmpty()) {
        if (!error.isEmpty()) {
            qCritical("dermgan-explorer: %s", qPrintable(error));
            return dermgan::cli::kInputError;
        }
        startup.screenshotWhenReady(request);
    } else if (!error.isEmpty()) {
        QMessageBox::warning(&window, QObject::tr("Cannot open"), error);
    }
    return QApplication::exec();
}
