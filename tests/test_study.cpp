// `dermgan study` as a user runs it, at a tiny scale on a HAM-style dataset made in code: every stage runs,
// the report holds every setting's numbers and only synthetic figures, a rerun continues instead of
// repeating, other options on the same folder are refused, and a failing stage stops the study with its
// exit code. Also the embedding plot it shows.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/imgcodecs.hpp>

#include "explain/embedding_plot.h"
#include "metrics/metric_catalogue.h"
#include "test_support.h"

using namespace dermgan::test;
namespace fs = std::filesystem;

namespace {

QJsonObject readJson(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

const QStringList kSettings{"cond-central", "cond-federated", "uncond-central", "uncond-federated"};

} // namespace

class TestStudy : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> dir_;
    QString path(const QString& name) const { return dir_->filePath(name); }
    CliRun cli(const QStringList& arguments) const { return runCli(arguments, path("cache")); }

    // The smallest study that still runs every stage: a few steps per model, one classifier epoch.
    QStringList studyArguments(const QString& out) const
    {
        return QStringList{"study", path("ham"), "--out", path(out), "--kimg", "0.048", "--rounds", "2", "--classifier-epochs",
                           "1", "--project-count", "1", "--project-steps", "2", "--embed-count", "12", "--embed-method",
                           "pca", "--audit-count", "8"} +
               tinyNetworkOptions();
    }

private Q_SLOTS:
    void initTestCase()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        // 3 classes x 30 lesions: each of the 3 institutions' training shares holds images.
        writeHamDataset(path("ham").toStdString(), oneImagePerLesion(90, {"nv", "mel", "bkl"}));
    }

    void plotHasOnePanelPerSourceAndTheClassColours()
    {
        using dermgan::explain::PlotPoint;
        const std::vector<PlotPoint> points{{0, 0, "real", 0}, {1, 1, "real", 1}, {0.5f, 0.2f, "synthetic", 0}};
        const cv::Mat two = dermgan::explain::drawEmbeddingPlot(points, {"nv", "mel"}, "t");
        const cv::Mat one = dermgan::explain::drawEmbeddingPlot({points[0]}, {"nv", "mel"}, "t");
        QCOMPARE(two.type(), CV_8UC3);
        QVERIFY2(two.cols > one.cols + 400, qPrintable(QString("%1 vs %2").arg(two.cols).arg(one.cols)));
        // Class 1 (mel) is drawn in the palette's second colour (86, 180, 233): some pixel is near it.
        cv::Mat mask;
        cv::inRange(two, cv::Scalar(76, 170, 223), cv::Scalar(96, 190, 243), mask);
        QVERIFY(cv::countNonZero(mask) > 0);
        cv::inRange(one, cv::Scalar(76, 170, 223), cv::Scalar(96, 190, 243), mask);
        QCOMPARE(cv::countNonZero(mask), 0);  // no mel point and no mel legend entry
    }

    void studyRunsEveryStageAndReportsEverySetting()
    {
        const auto run = cli(studyArguments("study"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString report = path("study/report");
        const auto json = readJson(report + "/report.json");
        for (const auto& setting : kSettings) {
            const auto fidelity = json["fidelity"].toObject()[setting].toObject();
            QVERIFY2(fidelity["metrics"].toObject()["fid_derm"].isDouble(), qPrintable(setting));
            QVERIFY(fidelity["sec_per_kimg"].toDouble() > 0);
            QVERIFY(fidelity["kimg"].toDouble() >= 0.048 * 0.99);
            const auto projections = json["projections"].toObject()[setting].toObject();
            QCOMPARE(projections["train"].toObject()["count"].toInt(), 1);
            QCOMPARE(projections["test"].toObject()["count"].toInt(), 1);
            QCOMPARE(json["audits"].toObject()[setting].toObject()["synthetic_count"].toInt(), 8);
            QVERIFY(QFile::exists(report + "/embedding-" + setting + ".png"));
            QVERIFY(QFile::exists(report + "/samples-" + setting + ".png"));
        }
        // The report names the feature network its FID-derm and kin were measured with.
        QCOMPARE(json["extractor"].toObject()["hash"].toString().size(), 16);
        const auto classifiers = json["classifiers"].toObject();
        for (const QString row : {"real", "synthetic, cond-central", "mixed, cond-central", "synthetic, cond-federated",
                                  "mixed, cond-federated"})
            QVERIFY2(classifiers[row].toObject()["balanced_accuracy"].isDouble(), qPrintable(row));
        QVERIFY(!classifiers.contains("synthetic, uncond-central"));  // unlabelled images train no classifier
        // Only the report and synthetic figures: nothing in OUT/report shows a real image.
        for (const auto& file : QDir(report).entryList(QDir::Files))
            QVERIFY2(file.startsWith("report.") || file.startsWith("embedding-") || file.startsWith("samples-"), qPrintable(file));
        // Every table's numbers come with their command.
        QFile md(report + "/report.md");
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(md.readAll());
        QVERIFY(text.contains("dermgan --threads"));
        QVERIFY(text.contains(" metrics ") && text.contains(" federated-sim ") && text.contains(" classify ") &&
                text.contains(" project ") && text.contains(" audit ") && text.contains(" embed "));
        QVERIFY(text.contains("| cond-federated | "));
        QVERIFY(text.contains("Best per column:"));
        // The fidelity table has a column for every value of the default features metrics, named as the
        // metric catalogue names it (a new metric there needs no edit of the report).
        for (const auto& metric : dermgan::metrics::metricCatalogue())
            if (metric.input == dermgan::metrics::MetricInput::Features && metric.byDefault)
                for (const auto& value : metric.values) {
                    const auto label = QString::fromStdString(dermgan::metrics::reportLabel(metric, value, "derm"));
                    QVERIFY2(text.contains(" " + label + " |"), qPrintable(label));
                }
        QVERIFY(text.contains("- Feature network (FID-derm") && text.contains(json["extractor"].toObject()["hash"].toString()));
        // The embedding plot has one panel for real and one for synthetic points.
        const cv::Mat plot = cv::imread(path("study/eval/cond-central/embedding/embedding.png").toStdString());
        QVERIFY(plot.cols > 2 * plot.rows - 200);
    }

    void aRerunKeepsFinishedStagesAndContinuesAnUnfinishedOne()
    {
        // Mark one training stage unfinished, as a killed study leaves it.
        const QString stagesFile = path("study/stages.json");
        auto stages = readJson(stagesFile);
        auto entry = stages["train:cond-central"].toObject();
        entry["done"] = false;
        stages["train:cond-central"] = entry;
        QFile f(stagesFile);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(stages).toJson());
        f.close();

        const auto run = cli(studyArguments("study"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains("train:cond-central (continuing)") && out.contains("--resume latest"), qPrintable(out));
        QVERIFY(out.contains("metrics:cond-federated: done earlier"));
        QCOMPARE(out.count("done earlier"), readJson(stagesFile).size() - 1);
        QCOMPARE(readJson(stagesFile)["train:cond-central"].toObject()["attempts"].toInt(), 2);
    }

    void otherOptionsOnTheSameFolderAreRefused()
    {
        auto arguments = studyArguments("study");
        arguments[arguments.indexOf("--kimg") + 1] = "0.1";
        const auto run = cli(arguments);
        QCOMPARE(run.exitCode, 3);
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(err.contains("other options") && err.contains("study") && !err.contains('\n'), qPrintable(err));
    }

    void badOptionsAndAFailingStage()
    {
        auto unknown = studyArguments("bad-setting");
        unknown << "--settings" << "cond-central,half-federated";
        auto run = cli(unknown);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(QString::fromUtf8(run.err).contains("'half-federated' is not a setting"));

        auto own = studyArguments("own-option");
        own << "--cond" << "on";
        run = cli(own);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(QString::fromUtf8(run.err).contains("--cond is set by the study itself"));

        // A training option `dermgan train` does not know: the first stage fails with the usage exit code, and
        // the study says which stage and where its log is.
        auto failing = studyArguments("failing");
        failing << "--no-such-option";
        run = cli(failing);
        QCOMPARE(run.exitCode, 2);
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(err.contains("stage train:cond-central failed") && err.contains("train-cond-central.log"), qPrintable(err));
        QFile log(path("failing/logs/train-cond-central.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("--no-such-option"));
    }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "test_study.moc"
