// The explorer's long jobs, which run the dermgan CLI as a child process: the training wizard and panel
// (start, live stats, pause, resume, finish, open the snapshot; cancel), the metrics view (evaluate,
// table equal to the written report, per-class chart, bad reports) and the views' CancellableJob.
#include <QtTest>
#include <QApplication>
#include <QThread>
#include <QTimer>
#include <QMessageBox>

#include <QDir>
#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>

#include "background_job.h"
#include "common/errors.h"
#include "generator_view.h"
#include "main_window.h"
#include "metrics_view.h"
#include "test_support.h"
#include "tiny_model.h"
#include "training_panel.h"
#include "training_wizard.h"

using namespace dermgan;
using namespace dermgan::ui;

namespace {

// The tiny network of the CLI training tests: 16x16, a few thousand parameters, one thread.
const QString kTinyNetwork = QStringLiteral("--cbase 128 --cmax 16 --z-dim 16 --w-dim 16 --threads 1");

} // namespace

class TestExplorerJobs : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString data_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    // A wizard filled in for a tiny conditional run of `kimg` into `out`.
    void fillWizard(TrainingWizard& wizard, const QString& out, double kimg)
    {
        QSignalSpy inspected(&wizard, &TrainingWizard::datasetInspected);
        wizard.setDataset(data_);
        QTRY_VERIFY_WITH_TIMEOUT(wizard.datasetReady(), 30000);
        wizard.setOutputFolder(out);
        wizard.setKimg(kimg);
        wizard.setResolution(16);
        wizard.setExtraOptions(kTinyNetwork + " --batch 4 --subset all");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("dermgan-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_explorer_jobs"));
        QSettings().clear();
        QVERIFY(dir_.isValid());
        qputenv("DERMGAN_CLI", DERMGAN_CLI_PATH);
        qputenv("DERMGAN_CACHE_DIR", QFile::encodeName(path("cache")));
        data_ = path("ham");
        test::writeHamDataset(data_.toStdString(), test::oneImagePerLesion(12, {"akiec", "bcc", "mel"}));
    }

    void cancellableJobRunsCancelsAndWaits()
    {
        QObject context;
        int finished = 0;
        auto job = std::make_unique<CancellableJob<int>>(&context, [&finished] { ++finished; });
        // A run's result arrives through onFinished, with running() false by then.
        QVERIFY(job->start([](const auto&) { return [] { return 42; }; }));
        QTRY_COMPARE(finished, 1);
        QVERIFY(!job->running());
        QCOMPARE(job->result(), 42);
        QVERIFY(!job->cancelled());

        // One run at a time; cancel() reaches the run's own stop flag, and the run ends early.
        std::atomic<bool> entered{false};
        QVERIFY(job->start([&entered](const auto& stop) {
            return [stop, &entered] {
                entered = true;
                while (!stop->load())
                    QThread::msleep(1);
                return -1;
            };
        }));
        QVERIFY(job->running());
        QVERIFY(!job->start([](const auto&) { return [] { return 0; }; }));
        QTRY_VERIFY(entered.load());
        job->cancel();
        QTRY_COMPARE(finished, 2);
        QVERIFY(job->cancelled());
        QCOMPARE(job->result(), -1);

        // A job's exception comes back as itself from result().
        QVERIFY(job->start([](const auto&) { return []() -> int { throw InputError("bad input"); }; }));
        QTRY_COMPARE(finished, 3);
        QVERIFY_THROWS_EXCEPTION(InputError, job->result());

        // Destroying the job asks its run to stop and waits for it: nothing runs after the owner is gone.
        std::atomic<bool> ended{false};
        QVERIFY(job->start([&ended](const auto& stop) {
            return [stop, &ended] {
                while (!stop->load())
                    QThread::msleep(1);
                QThread::msleep(50);
                ended = true;
                return 0;
            };
        }));
        job.reset();
        QVERIFY(ended.load());
    }

    void wizardInspectsTheDatasetAndWritesTheCommand()
    {
        TrainingWizard wizard;
        wizard.setDataset(path("no-such-folder"));
        QSignalSpy inspected(&wizard, &TrainingWizard::datasetInspected);
        QVERIFY(inspected.wait(30000));
        QCOMPARE(inspected.last().at(0).toBool(), false);
        QVERIFY(!wizard.datasetReady());
        QVERIFY(wizard.datasetSummary().contains("no-such-folder"));  // the reason names the folder

        fillWizard(wizard, path("run-a"), 2.5);
        QCOMPARE(wizard.classCount(), 3);
        QVERIFY(wizard.datasetSummary().contains("akiec"));
        const QStringList args = wizard.arguments();
        QCOMPARE(args.mid(0, 4), (QStringList{"train", data_, "--out", path("run-a")}));
        QCOMPARE(args.at(args.indexOf("--cond") + 1), QString("on"));
        QCOMPARE(args.at(args.indexOf("--kimg") + 1), QString("2.5"));
        QCOMPARE(args.at(args.indexOf("--resolution") + 1), QString("16"));
        QVERIFY(args.contains("--cbase"));  // the extra options, split like a shell does
        wizard.setInstitution(1);
        QCOMPARE(wizard.arguments().at(wizard.arguments().indexOf("--institution") + 1), QString("1"));
        // The CLI accepts exactly what the wizard writes (a dry run resolves it).
        const auto dry = test::runCli(wizard.arguments() << "--dry-run", path("cache"));
        QVERIFY2(dry.exitCode == 0, dry.err.constData());
    }

    void trainingRunsPausesResumesAndOpens()
    {
        MainWindow window;
        TrainingWizard wizard;
        fillWizard(wizard, path("run-b"), 0.064);
        auto* panel = window.trainingPanel();
        QSignalSpy ticks(panel, &TrainingPanel::tick);
        QSignalSpy failed(panel, &TrainingPanel::failed);
        window.startTraining(wizard);
        QCOMPARE(panel->state(), TrainingPanel::State::Running);
        QVERIFY(panel->commandLine().startsWith("dermgan train "));
        QVERIFY(ticks.wait(120000));  // live stats arrive while the GUI thread runs this loop

        panel->pause();
        QTRY_COMPARE_WITH_TIMEOUT(panel->state(), TrainingPanel::State::Paused, 120000);
        QVERIFY(!panel->latestSnapshot().isEmpty());  // pausing wrote a snapshot
        const double pausedAt = panel->kimgDone();
        QVERIFY(pausedAt > 0 && pausedAt < 0.064);

        panel->resume();
        QCOMPARE(panel->state(), TrainingPanel::State::Running);
        QTRY_COMPARE_WITH_TIMEOUT(panel->state(), TrainingPanel::State::Finished, 180000);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(panel->kimgDone(), 0.064);
        QVERIFY(ticks.first().at(0).toJsonObject()["kimg"].toDouble() <= pausedAt);
        QVERIFY(ticks.last().at(0).toJsonObject()["kimg"].toDouble() == 0.064);
        // Charts hold every stats line of both sessions; the file has the same lines.
        QFile stats(path("run-b/stats.jsonl"));
        QVERIFY(stats.open(QIODevice::ReadOnly));
        QCOMPARE(panel->statsLines(), stats.readAll().trimmed().split('\n').size());
        QVERIFY(panel->latestGrid().endsWith(".png"));  // the final sample grid is shown

        auto* open = panel->findChild<QPushButton*>("openTraining");
        QVERIFY(open && open->isEnabled());
        open->click();
        QVERIFY(window.windowTitle().startsWith("latest.dermgan"));
        QCOMPARE(window.generatorView()->session().classNames(), (QStringList{"akiec", "bcc", "mel"}));
    }

    void closingDuringTrainingAsksThenSavesTheSnapshotVisibly()
    {
        MainWindow window;
        window.show();
        TrainingWizard wizard;
        fillWizard(wizard, path("run-close"), 1.0);
        auto* panel = window.trainingPanel();
        QSignalSpy ticks(panel, &TrainingPanel::tick);
        window.startTraining(wizard);
        QVERIFY(ticks.wait(120000));

        // "Keep training": the window stays, the run goes on.
        const auto answer = [](const QString& button) {
            QTimer::singleShot(0, [button] {
                auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
                QVERIFY(box && box->objectName() == "closeWhileTraining");
                for (auto* candidate : box->findChildren<QPushButton*>())
                    if (candidate->text().remove('&') == button)
                        candidate->click();
            });
        };
        answer("Keep training");
        QVERIFY(!window.close());
        QVERIFY(window.isVisible());
        QCOMPARE(panel->state(), TrainingPanel::State::Running);

        // "Pause and quit": a progress dialog stays up while the snapshot is written, then the window closes.
        bool sawProgress = false;
        QTimer watch;
        connect(&watch, &QTimer::timeout, [&] {
            if (auto* modal = QApplication::activeModalWidget(); modal && modal->objectName() == "savingSnapshot")
                sawProgress = true;
        });
        watch.start(20);
        answer("Pause and quit");
        QVERIFY(window.close());
        QVERIFY(sawProgress);
        QCOMPARE(panel->state(), TrainingPanel::State::Paused);
        QVERIFY(!panel->latestSnapshot().isEmpty());
    }

    void federatedRunFromTheWizard()
    {
        // Enough lesions that the 6 % institution gets images too.
        test::writeHamDataset(path("ham90").toStdString(), test::oneImagePerLesion(90, {"akiec", "bcc", "mel"}));
        MainWindow window;
        auto* panel = window.trainingPanel();
        TrainingWizard wizard;
        QSignalSpy inspected(&wizard, &TrainingWizard::datasetInspected);
        wizard.setDataset(path("ham90"));
        QTRY_VERIFY_WITH_TIMEOUT(wizard.datasetReady(), 30000);
        wizard.setOutputFolder(path("run-fed"));
        wizard.setKimg(0.032);
        wizard.setResolution(16);
        wizard.setExtraOptions(kTinyNetwork + " --batch 4 --subset all --tick 0.008");
        wizard.setFederated(0.016);
        const QStringList args = wizard.arguments();
        QCOMPARE(args.mid(0, 4), (QStringList{"federated-sim", path("ham90"), "--sites", "3"}));
        QCOMPARE(args.at(args.indexOf("--rounds") + 1), QString("2"));
        QVERIFY(!args.contains("--kimg"));
        wizard.setKimg(0.04);  // whole rounds: 3 of 0.016, so each site trains 0.048 kimg
        QCOMPARE(wizard.arguments().at(wizard.arguments().indexOf("--rounds") + 1), QString("3"));
        QCOMPARE(wizard.kimg(), 0.048);
        wizard.setKimg(0.032);

        QSignalSpy ticks(panel, &TrainingPanel::tick);
        QSignalSpy failed(panel, &TrainingPanel::failed);
        window.startTraining(wizard);
        QVERIFY(panel->commandLine().startsWith("dermgan federated-sim "));
        QTRY_COMPARE_WITH_TIMEOUT(panel->state(), TrainingPanel::State::Finished, 180000);
        QCOMPARE(failed.size(), 0);
        QVERIFY(!ticks.isEmpty());
        for (const auto& tick : ticks)
            QCOMPARE(tick.at(0).toJsonObject()["site"].toInt(), 0);  // the charts follow institution 0
        QCOMPARE(panel->kimgDone(), 0.032);
        QVERIFY(panel->latestGrid().contains("fakes-round-"));
        QCOMPARE(panel->latestSnapshot(), path("run-fed/latest.dermgan"));  // the global model
    }

    void trainingCancelsAndReportsBadOptions()
    {
        MainWindow window;
        auto* panel = window.trainingPanel();
        TrainingWizard wizard;
        fillWizard(wizard, path("run-c"), 100);
        QSignalSpy ticks(panel, &TrainingPanel::tick);
        window.startTraining(wizard);
        QVERIFY(ticks.wait(120000));
        panel->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(panel->state(), TrainingPanel::State::Cancelled, 120000);
        QVERIFY(QFile::exists(path("run-c/latest.dermgan")));
        QVERIFY(!panel->findChild<QPushButton*>("resumeTraining")->isEnabled());

        // An option the CLI refuses: the panel fails with the CLI's one-line reason.
        QSignalSpy failed(panel, &TrainingPanel::failed);
        wizard.setExtraOptions(kTinyNetwork + " --aug xyz");
        wizard.setOutputFolder(path("run-d"));
        window.startTraining(wizard);
        QVERIFY(failed.wait(60000));
        QCOMPARE(panel->state(), TrainingPanel::State::Failed);
        QVERIFY2(failed.last().at(0).toString().contains("augmentation"), qPrintable(failed.last().at(0).toString()));
    }

    void metricsViewShowsTheReportItWrote()
    {
        MainWindow window;
        const QString model = test::writeTinyModel(path("model"), false);
        QCOMPARE(window.openModel(model), QString());
        auto* view = window.metricsView();
        view->setDataset(data_);
        view->setSubset(QStringLiteral("all"));
        view->setSyntheticCount(12);
        view->setReportFolder(path("report"));
        QSignalSpy shown(view, &MetricsView::reportShown);
        QSignalSpy failed(view, &MetricsView::failed);
        view->evaluate();
        QVERIFY(view->busy());
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() || !failed.isEmpty(), 180000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
        QVERIFY(view->commandLine().startsWith("dermgan metrics "));

        QFile file(path("report/metrics.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject written = QJsonDocument::fromJson(file.readAll()).object();
        const double fid = written["metrics"].toObject()["fid_derm"].toDouble();
        QCOMPARE(view->table()->verticalHeaderItem(0)->text(), QString("FID-derm"));
        QCOMPARE(view->table()->item(0, 0)->text(), QString::number(fid, 'f', 4));
        QCOMPARE(view->table()->item(2, 0)->text(),
                 QString::number(written["metrics"].toObject()["precision_derm"].toDouble(), 'f', 4));
        // The two-sample test is on by default; 12 real images are too few for it, and the table says why.
        QVERIFY(view->commandLine().contains("c2st"));
        QVERIFY(view->table()->verticalHeaderItem(7)->text().startsWith("C2ST AUC"));
        QVERIFY2(view->table()->item(7, 0)->text().contains("expected at least 20 images"),
                 qPrintable(view->table()->item(7, 0)->text()));
        // One group of bars per class; 4 real images per class are too few for per-class metrics, and the
        // chart says so rather than drawing numbers.
        QCOMPARE(view->chartCategories().size(), 3);
        QVERIFY(view->chartCategories().first().startsWith("akiec"));
        QVERIFY(written["per_class"].toObject()["akiec"].toObject().contains("skipped"));
        QVERIFY(view->chartCategories().first().contains("too few"));

        // The same report opened from disk shows the same table; a file of something else is refused.
        view->table()->clearContents();
        QCOMPARE(view->openReport(path("report/metrics.json")), QString());
        QCOMPARE(view->table()->item(0, 0)->text(), QString::number(fid, 'f', 4));
        QVERIFY(view->openReport(path("ham/HAM10000_metadata.csv")).contains("not a dermgan metrics report"));
        QVERIFY(view->openReport(path("missing.json")).contains("cannot be read"));
    }
};

QTEST_MAIN(TestExplorerJobs)
#include "test_explorer_jobs.moc"
