// `dermgan train` and `dermgan generate` as a user runs them: dry run, a tiny real run, a kill and a resume,
// generation with PNG metadata, and the bad-input cases.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <fstream>

#include "io/png_text.h"
#include "test_support.h"

using namespace dermgan::test;
namespace fs = std::filesystem;

namespace {

// A tiny architecture that trains in seconds.
const QStringList kTiny = tinyNetworkOptions() + QStringList{"--subset", "all"};

} // namespace

class TestCliTraining : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    QString path(const QString& name) const { return dir_->filePath(name); }
    fs::path fsPath(const QString& name) const { return path(name).toStdString(); }
    CliRun cli(const QStringList& arguments) const { return runCli(arguments, path("cache")); }

    void writeData()
    {
        writeHamDataset(fsPath("ham"), oneImagePerLesion(12, {"nv", "mel", "bkl"}));
    }

    static void expectError(const CliRun& run, int code, const QString& fragment)
    {
        QCOMPARE(run.exitCode, code);
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(err.contains(fragment) && !err.contains('\n'), qPrintable(err));
    }

private Q_SLOTS:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        writeData();
    }

    void dryRunResolvesTheConfiguration()
    {
        const auto run = cli(QStringList{"train", path("ham"), "--dry-run", "--out", path("run")} + kTiny);
        QCOMPARE(run.exitCode, 0);
        const auto json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json["training_images"].toInt(), 12);
        QCOMPARE(json["config"].toObject()["network"].toObject()["c_dim"].toInt(), 3);
        QCOMPARE(json["num_ws"].toInt(), 6);
        QVERIFY(json["generator_parameters"].toInt() > 0);
        QVERIFY(!fs::exists(fsPath("run")));  // a dry run writes nothing
    }

    void badTrainingInput()
    {
        expectError(cli(QStringList{"train", path("ham"), "--dry-run", "--resolution", "48"}), 3, "power of two");
        expectError(cli(QStringList{"train", path("ham"), "--dry-run", "--cond", "maybe"}), 2, "--cond");
        expectError(cli(QStringList{"train", path("ham"), "--dry-run", "--aug", "xyz"}), 3, "augmentation");
        writeSolidImage(fsPath("flat/a.png"), 16, 16, {1, 2, 3});
        expectError(cli(QStringList{"train", path("flat"), "--dry-run"}), 3, "no classes");
        expectError(cli(QStringList{"train", path("ham"), "--resume", path("nothing.dermgan")}), 3, "does not exist");
    }

    void trainKillResumeAndGenerate()
    {
        // A long run killed after its first snapshot...
        QProcess process;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("DERMGAN_CACHE_DIR", path("cache"));
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(DERMGAN_CLI_PATH),
                      QStringList{"train", path("ham"), "--out", path("run"), "--kimg", "100", "--snap", "0.016",
                                  "--tick", "0.008", "--json"} + kTiny);
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(fsPath("run/latest.dermgan")), 120000);
        process.kill();
        QVERIFY(process.waitForFinished());

        // ... resumes from latest.dermgan (wherever the kill left it) and finishes a short target.
        const auto plan = cli(QStringList{"train", path("ham"), "--out", path("run"), "--resume", "latest", "--dry-run"});
        QCOMPARE(plan.exitCode, 0);
        const double snapshotKimg = QJsonDocument::fromJson(plan.out).object()["resume_kimg"].toDouble();
        QVERIFY(snapshotKimg >= 0.016);
        const double target = QString::number(snapshotKimg + 0.032, 'f', 3).toDouble();
        const auto resumed = cli(QStringList{"train", path("ham"), "--out", path("run"), "--resume", "latest",
                                             "--kimg", QString::number(target, 'f', 3), "--json", "--threads", "1"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const auto lines = resumed.out.trimmed().split('\n');
        const double firstKimg = QJsonDocument::fromJson(lines.first()).object()["kimg"].toDouble();
        QVERIFY2(firstKimg > snapshotKimg, "the resumed run continues after the snapshot, not from 0");
        QCOMPARE(QJsonDocument::fromJson(lines.last()).object()["kimg"].toDouble(), target);
        // stats.jsonl has one line per tick, none repeated by the resume.
        std::ifstream stats(fsPath("run/stats.jsonl"));
        std::vector<double> kimg;
        for (std::string line; std::getline(stats, line);)
            kimg.push_back(QJsonDocument::fromJson(QByteArray::fromStdString(line)).object()["kimg"].toDouble());
        QVERIFY(std::is_sorted(kimg.begin(), kimg.end()) && std::adjacent_find(kimg.begin(), kimg.end()) == kimg.end());
        QCOMPARE(kimg.back(), target);

        // Generation from the final snapshot.
        const auto generated = cli(QStringList{"generate", path("run/latest.dermgan"), "--seeds", "0-2", "--class",
                                               "all", "--psi", "0.7", "--out", path("gen"), "--grid", "3", "--json"});
        QVERIFY2(generated.exitCode == 0, generated.err.constData());
        const auto images = QJsonDocument::fromJson(generated.out).object()["images"].toArray();
        QCOMPARE(images.size(), 9);
        std::ifstream png(fsPath("gen/seed0001-class2.png"), std::ios::binary);
        const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(png)), std::istreambuf_iterator<char>());
        const auto text = dermgan::readPngText(bytes);
        QCOMPARE(text.at("dermgan:synthetic"), std::string("true"));
        QCOMPARE(text.at("dermgan:seed"), std::string("1"));
        QCOMPARE(text.at("dermgan:class_name"), std::string("nv"));  // classes sort: bkl, mel, nv
        QCOMPARE(text.at("dermgan:model_hash").size(), std::size_t(16));
        QVERIFY(fs::exists(fsPath("gen/grid.png")));

        // The same seed gives the same image.
        const auto again = cli(QStringList{"generate", path("run/latest.dermgan"), "--seeds", "1", "--class", "mel",
                                           "--psi", "0.7", "--out", path("gen2")});
        QCOMPARE(again.exitCode, 0);
        auto readFile = [&](const QString& name) {
            std::ifstream file(fsPath(name), std::ios::binary);
            return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        };
        QVERIFY(!readFile("gen2/seed0001-class1.png").empty());
        QVERIFY(readFile("gen/seed0001-class1.png") == readFile("gen2/seed0001-class1.png"));

        expectError(cli(QStringList{"generate", path("run/latest.dermgan"), "--class", "bogus"}), 3, "bogus");
        expectError(cli(QStringList{"generate", path("run/latest.dermgan")}), 3, "--class");
        expectError(cli(QStringList{"generate", path("run/latest.dermgan"), "--class", "0", "--seeds", "x"}), 3, "seeds");
        fs::copy_file(fsPath("run/latest.dermgan"), fsPath("cut.dermgan"));
        fs::resize_file(fsPath("cut.dermgan"), 1000);
        expectError(cli(QStringList{"generate", path("cut.dermgan"), "--class", "0"}), 3, "truncated");
    }

    // Field case 11: `dermgan --threads 1 train` ran on every core: the subcommand's default overrode it.
    void threadsBeforeTheSubcommandApply()
    {
        QStringList tinyWithoutThreads = kTiny;
        const auto at = tinyWithoutThreads.indexOf("--threads");
        tinyWithoutThreads.remove(at, 2);
        const auto run = cli(QStringList{"--threads", "1", "train", path("ham"), "--dry-run"} + tinyWithoutThreads);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object()["threads"].toInt(), 1);
    }

    // Field case 21: a resume with other options dropped them in silence. It keeps the snapshot's settings
    // and names each one given with another value; the dataset path is stored absolute.
    void resumeNamesTheOptionsItIgnores()
    {
        const auto first = cli(QStringList{"train", path("ham"), "--out", path("run"), "--kimg", "0.008", "--tick",
                                           "0.004", "--snap", "0.008"} + kTiny);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        writeHamDataset(fsPath("other"), oneImagePerLesion(5, {"nv", "mel"}));
        const auto resumed = cli(QStringList{"train", path("other"), "--out", path("run"), "--resume", "latest",
                                             "--kimg", "0.012", "--batch", "8", "--gamma", "5", "--threads", "1"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const QString err = QString::fromUtf8(resumed.err);
        QVERIFY2(err.contains("ignored") && err.contains("--batch 8 (the snapshot has 4)") && err.contains("--gamma 5") &&
                     err.contains("dataset " + QDir::cleanPath(path("other"))),
                 qPrintable(err));
        QVERIFY2(err.contains("on 12 images"), qPrintable(err));  // still the snapshot's dataset
        const auto options = QJsonDocument::fromJson(QByteArray::fromStdString([&] {
            std::ifstream in(fsPath("run/training_options.json"));
            return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        }())).object();
        QVERIFY(QDir::isAbsolutePath(options["dataset"].toString()));
    }

    // Field case 17: two runs on one folder both ran and one's stats were lost. The second refuses in one line
    // naming the first one's process; a temporary file that a killed writer left behind is removed.
    void aSecondRunOnOneFolderIsRefused()
    {
        fs::create_directories(fsPath("run"));
        writeText(fsPath("run/.latest.dermgan.tmp-3999999-7"), "left by a kill -9");
        QProcess first;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("DERMGAN_CACHE_DIR", path("cache"));
        first.setProcessEnvironment(environment);
        first.start(QStringLiteral(DERMGAN_CLI_PATH),
                    QStringList{"train", path("ham"), "--out", path("run"), "--kimg", "100", "--tick", "0.008"} + kTiny);
        QVERIFY(first.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(fsPath("run/stats.jsonl")), 120000);
        QVERIFY(!fs::exists(fsPath("run/.latest.dermgan.tmp-3999999-7")));
        const auto second = cli(QStringList{"train", path("ham"), "--out", path("run"), "--kimg", "200"} + kTiny);
        expectError(second, 3, "in use by process " + QString::number(first.processId()));
        first.kill();
        QVERIFY(first.waitForFinished());
    }
};

QTEST_GUILESS_MAIN(TestCliTraining)
#include "test_cli_training.moc"
