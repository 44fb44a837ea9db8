// dermgan-explorer: start-up of the Qt latent-space explorer.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include "main_window.h"

int main(int argc, char** argv)
{
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
    parser.process(app);

    dermgan::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
