// The `dermgan` command as scripts see it: exit codes, one-line errors, JSON output.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <fstream>

#include <torch/torch.h>

#include "data/csv_table.h"
#include "data/subset_loader.h"
#include "test_support.h"

using namespace dermgan::test;
namespace fs = std::filesystem;


class TestCli : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    QString path(const QString& name) const { return dir_->filePath(name); }
    fs::path fsPath(const QString& name) const { return path(name).toStdString(); }

    void writeHam()
    {
        writeHamDataset(fsPath("ham"), {{"L1", "I1", "nv"}, {"L1", "I2", "nv"}, {"L2", "I3", "nv"}, {"L3", "I4", "mel"},
                                        {"L4", "I5", "mel"}, {"L5", "I6", "bcc"}, {"L6", "I7", "nv"}, {"L7", "I8", "bcc"}});
    }

    static void expectOneLineError(const CliRun& run, int code, const QStringList& fragments)
    {
        QCOMPARE(run.exitCode, code);
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(!err.contains('\n'), qPrintable("one line expected: " + err));
        for (const auto& fragment : fragments)
            QVERIFY2(err.contains(fragment), qPrintable(err + " lacks " + fragment));
    }

private Q_SLOTS:
    void init() { dir_ = std::make_unique<QTemporaryDir>(); }

    void helpOnEveryLevel_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("top") << QStringList{"--help"};
        QTest::newRow("dataset") << QStringList{"dataset", "--help"};
        QTest::newRow("inspect") << QStringList{"dataset", "inspect", "--help"};
        QTest::newRow("split") << QStringList{"dataset", "split", "--help"};
        QTest::newRow("prepare") << QStringList{"dataset", "prepare", "--help"};
        QTest::newRow("export") << QStringList{"dataset", "export", "--help"};
    }
    void helpOnEveryLevel()
    {
        QFETCH(QStringList, arguments);
        const auto run = runCli(arguments);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("Usage:"));
    }

    void usageErrorsExitWith2()
    {
        expectOneLineError(runCli({"dataset", "inspect", path("ham"), "--bogus"}), 2, {"--bogus"});
        expectOneLineError(runCli({"dataset", "inspect"}), 2, {"path"});
        expectOneLineError(runCli({}), 2, {"subcommand"});
        expectOneLineError(runCli({"dataset", "split", path("ham"), "--fractions", "0.5,0.5"}), 2, {"fractions"});
    }

    void badInputExitsWith3()
    {
        expectOneLineError(runCli({"dataset", "inspect", path("missing")}), 3, {"missing", "does not exist"});
        writeHam();
        fs::remove(fsPath("ham/images/I3.jpg"));
        expectOneLineError(runCli({"dataset", "inspect", path("ham")}), 3, {"I3", "no file"});
        QCOMPARE(runCli({"dataset", "inspect", path("ham"), "--skip-bad"}).exitCode, 0);
        expectOneLineError(runCli({"dataset", "prepare", path("ham"), "-r", "48", "--skip-bad"}), 3,
                           {"48", "power of two"});
    }

    void inspectJsonCountsClasses()
    {
        writeHam();
        const auto run = runCli({"dataset", "inspect", path("ham"), "--json"});
        QCOMPARE(run.exitCode, 0);
        const auto json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json["images"].toInt(), 8);
        QCOMPARE(json["groups"].toInt(), 7);
        QCOMPARE(json["format"].toString(), QStringLiteral("ham10000"));
        QMap<QString, int> counts;
        for (const auto& entry : json["classes"].toArray())
            counts[entry.toObject()["name"].toString()] = entry.toObject()["images"].toInt();
        QCOMPARE(counts, (QMap<QString, int>{{"bcc", 2}, {"mel", 2}, {"nv", 4}}));
    }

    void splitWritesCsvKeepingLesionsTogether()
    {
        writeHam();
        const auto run = runCli({"dataset", "split", path("ham"), "--seed", "3", "--out", path("split.csv"), "--json"});
        QCOMPARE(run.exitCode, 0);
        const auto json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json["groups_in_two_subsets"].toInt(), 0);
        QCOMPARE(json["groups_in_two_institutions"].toInt(), 0);
        const auto table = dermgan::CsvTable::read(fsPath("split.csv"));
        QCOMPARE(table.rows().size(), std::size_t(8));
        const auto lesion = table.column("lesion_id"), subset = table.column("split");
        std::map<std::string, std::string> subsetOfLesion;
        for (const auto& row : table.rows()) {
            auto [it, inserted] = subsetOfLesion.emplace(row[lesion], row[subset]);
            QCOMPARE(it->second, row[subset]);
        }
    }

    void prepareReportsAndSkipsCorruptImages()
    {
        writeHam();
        std::ofstream(fsPath("ham/images/I5.jpg"), std::ios::trunc) << "not a jpeg";
        const QString cache = path("cache");
        expectOneLineError(runCli({"dataset", "prepare", path("ham"), "-r", "16"}, cache), 3, {"I5", "--skip-bad"});
        const auto run = runCli({"dataset", "prepare", path("ham"), "-r", "16", "--skip-bad", "--json"}, cache);
        QCOMPARE(run.exitCode, 0);
        const auto json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json["images"].toInt(), 7);
        QCOMPARE(json["skipped"].toArray().size(), 1);
        QVERIFY(json["skipped"].toArray()[0].toString().contains("I5"));
        QVERIFY(json["cache_file"].toString().startsWith(cache));
    }

    void exportWritesTheSubsetAsAStyleGan2ZipWithTheSamePixels()
    {
        writeHam();
        const auto run = runCli({"dataset", "export", path("ham"), "--subset", "all", "-r", "16", "--out", path("ham16.zip"),
                                 "--json"}, path("cache"));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object()["images"].toInt(), 8);
        const auto inspect = runCli({"dataset", "inspect", path("ham16.zip"), "--json"});
        QCOMPARE(QJsonDocument::fromJson(inspect.out).object()["format"].toString(), QStringLiteral("stylegan2-ada"));
        // Read back: the same pixels, labels and class names as the subset it came from (PNG is lossless).
        dermgan::SubsetRequest request;
        request.subset = "all";
        request.resolution = 16;
        request.dataset = fsPath("ham");
        const auto original = dermgan::loadSubset(request);
        request.dataset = fsPath("ham16.zip");
        const auto exported = dermgan::loadSubset(request);
        QCOMPARE(exported.index.classNames, original.index.classNames);
        QCOMPARE(exported.labels, original.labels);
        QVERIFY(torch::equal(exported.pixels, original.pixels));
        // As JPEG (smaller, for machines reached through a size limit): the error it prints is the error read back.
        const auto lossy = runCli({"dataset", "export", path("ham"), "--subset", "all", "-r", "16", "--out",
                                   path("ham16-jpeg.zip"), "--jpeg-quality", "90", "--json"}, path("cache"));
        QVERIFY2(lossy.exitCode == 0, lossy.err.constData());
        const auto lossyJson = QJsonDocument::fromJson(lossy.out).object();
        QCOMPARE(lossyJson["jpeg_quality"].toInt(), 90);
        request.dataset = fsPath("ham16-jpeg.zip");
        const auto jpegPixels = dermgan::loadSubset(request).pixels;
        const double readBack = (jpegPixels.to(torch::kFloat) - original.pixels.to(torch::kFloat)).abs().mean().item<double>();
        QVERIFY2(std::abs(readBack - lossyJson["mean_abs_error"].toDouble()) < 1e-4,
                 qPrintable(QString("%1 vs %2").arg(readBack).arg(lossyJson["mean_abs_error"].toDouble())));
        QVERIFY(readBack < 3);
        QCOMPARE(runCli({"dataset", "export", path("ham"), "--out", path("x.zip"), "--jpeg-quality", "101"}).exitCode, 2);
        expectOneLineError(runCli({"dataset", "export", path("ham"), "--subset", "holdout", "--out", path("x.zip")}), 3,
                           {"holdout"});
        QVERIFY(!fs::exists(fsPath("x.zip")));

        // Reliability campaign: a zip whose member data are damaged passed `dataset inspect` and
        // `train --dry-run` ("validate everything" read only the index). Both read every member now.
        const auto size = fs::file_size(fsPath("ham16.zip"));
        {
            std::fstream zip(fsPath("ham16.zip"), std::ios::in | std::ios::out | std::ios::binary);
            zip.seekg(static_cast<std::streamoff>(size / 3));
            const char byte = static_cast<char>(zip.peek());
            zip.seekp(static_cast<std::streamoff>(size / 3));
            zip.put(static_cast<char>(byte ^ 0x20));
        }
        expectOneLineError(runCli({"dataset", "inspect", path("ham16.zip")}), 3, {"ham16.zip", "damaged"});
        expectOneLineError(runCli(QStringList{"train", path("ham16.zip"), "--dry-run", "--subset", "all"} + tinyNetworkOptions(),
                                  path("cache2")),
                           3, {"ham16.zip", "damaged"});
    }

    // Reliability campaign: `export --out X.pt` on a full disk aborted (exit 134, a 21-line trace) and left a
    // 0-byte temporary file. A file-size limit makes the same write fail here without root or a tmpfs.
    void aFullDiskIsOneLineAndLeavesNothing()
    {
        const QString model = QStringLiteral(DERMGAN_TEST_FIXTURES_DIR "/stylegan2/cond32.npz");
        QDir().mkpath(path("out"));
        for (const QString& name : {QStringLiteral("g.pt"), QStringLiteral("g.dermgan")}) {
            QProcess process;
            process.start("bash", {"-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" export \"$1\" --out \"$2\"",
                                   QStringLiteral(DERMGAN_CLI_PATH), model, path("out/" + name)});
            QVERIFY(process.waitForFinished(120000));
            QCOMPARE(process.exitCode(), 3);
            const QString err = QString::fromUtf8(process.readAllStandardError()).trimmed();
            QVERIFY2(!err.contains('\n') && err.contains(name) && err.contains("disk full"), qPrintable(err));
        }
        QVERIFY2(QDir(path("out")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty(),
                 "no temporary or partial file is left");
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
