// dermgan-explorer: start-up of the Qt latent-space explorer.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include "common/runtime.h"
#include "main_window.h"

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
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a PNG of the window to <file> once it is shown, then quit."),
                                        QStringLiteral("file"));
    parser.addOption(screenshot);
    parser.process(app);

    dermgan::configureThreads();  // LibTorch would otherwise use one core
    dermgan::ui::MainWindow window;
    window.show();
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(1500, &window, [&window, file] {
            const bool saved = window.grab().save(file);
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
