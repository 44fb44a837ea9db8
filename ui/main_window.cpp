#include "main_window.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include "common/runtime.h"

namespace dermgan::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("dermgan explorer"));
    resize(960, 640);
    startPage_ = new QLabel(this);
    startPage_->setObjectName(QStringLiteral("startPage"));
    startPage_->setAlignment(Qt::AlignCenter);
    startPage_->setWordWrap(true);
    startPage_->setTextFormat(Qt::RichText);
    startPage_->setText(tr("<h2>No generator loaded</h2>"
                           "<p>dermgan does not ship a trained model yet, and this window cannot open one yet.</p>"
                           "<p>Train and sample from the command line:<br>"
                           "<code>dermgan train ../shared/data/ham10000 --out runs/ham64 --kimg 50</code><br>"
                           "<code>dermgan generate runs/ham64/latest.dermgan --class mel --seeds 0-7</code></p>"
                           "<p>Inspect and split a dataset:<br>"
                           "<code>dermgan dataset inspect ../shared/data/ham10000</code><br>"
                           "<code>dermgan dataset split ../shared/data/ham10000 --out split.csv</code></p>"));
    startPage_->setAccessibleName(tr("Start page"));
    setCentralWidget(startPage_);
    buildMenus();
    statusBar()->showMessage(tr("Device: %1").arg(QString::fromStdString(runtimeDescription(selectDevice("auto")))));
}

QString MainWindow::startPageText() const
{
    return startPage_->text();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About dermgan"), this, [this] {
        QMessageBox::about(this, tr("About dermgan"),
                           tr("<b>dermgan %1</b><p>GAN-based generative modelling of skin-lesion images.</p>"
                              "<p>Synthetic images are marked as synthetic wherever they are shown.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

} // namespace dermgan::ui
