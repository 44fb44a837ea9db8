// `dermgan classify`, `dermgan metrics`, `dermgan audit` and `dermgan reader-study` as a user runs them, on a tiny HAM-style dataset
// made in code and a generator trained for a few steps: reports written, numbers sane, bad input refused.
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <fstream>

#include <torch/torch.h>

#include "data/image_decode.h"
#include "io/npy.h"
#include "metrics/reader_study.h"
#include "io/zip_archive.h"
#include "test_support.h"

using namespace dermgan::test;
using dermgan::parseNpy;
using dermgan::readNpy;
using dermgan::ZipArchive;
namespace fs = std::filesystem;

namespace {

const QStringList kTiny = tinyNetworkOptions();

QJsonObject readJson(const QString& file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestCliEvaluation : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> dir_;
    QString path(const QString& name) const { return dir_->filePath(name); }
    CliRun cli(const QStringList& arguments) const { return runCli(arguments, path("cache")); }

    static void expectError(const CliRun& run, int code, const QString& fragment)
    {
        QCOMPARE(run.exitCode, code);
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(err.contains(fragment) && !err.contains('\n'), qPrintable(err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        // 3 classes x 20 lesions, one image each: every split subset gets every class.
        writeHamDataset(path("ham").toStdString(), oneImagePerLesion(60, {"nv", "mel", "bkl"}));
    }

    void classifierOnRealData()
    {
        const auto run = cli({"--threads", "1", "classify", path("ham"), "--epochs", "3", "--batch", "8", "--resolution", "16",
                              "--save", path("derm.dermnet"), "--out", path("reports")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto report = readJson(path("reports/classify-real.json"));
        QVERIFY(report["command"].toString().contains("classify"));
        const auto test = report["test"].toObject();
        QCOMPARE(test["count"].toInt(), report["test_images"].toInt());
        // One solid colour per class: separable; three epochs of a fresh network get most of it.
        QVERIFY2(test["balanced_accuracy"].toDouble() >= 0.6, qPrintable(QString::number(test["balanced_accuracy"].toDouble())));
        QVERIFY(test["auc_class"].toString() == "mel");
        QVERIFY(fs::exists(path("derm.dermnet").toStdString()));
        QVERIFY(QFile(path("reports/classify-real.txt")).size() > 0);
    }

    void savedClassifierScoredOnAnyLabelledDataset()
    {
        // On the test split it trained for, --evaluate reproduces the training run's own test report.
        const auto run = cli({"classify", path("ham"), "--evaluate", path("derm.dermnet"), "--subset", "test",
                              "--out", path("evaluate"), "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto scored = QJsonDocument::fromJson(run.out).object();
        const auto trained = readJson(path("reports/classify-real.json"))["test"].toObject();
        QCOMPARE(scored["test"].toObject()["balanced_accuracy"].toDouble(), trained["balanced_accuracy"].toDouble());
        QCOMPARE(scored["test"].toObject()["confusion"].toArray(), trained["confusion"].toArray());
        const auto melVsNv = scored["binary_aucs"].toObject()["mel_vs_nv"].toObject();
        const auto ci = melVsNv["ci"].toArray();
        QVERIFY(ci[0].toDouble() <= melVsNv["auc"].toDouble() && melVsNv["auc"].toDouble() <= ci[1].toDouble());
        QVERIFY(scored["binary_aucs"].toObject().contains("mel_vs_rest"));
        QVERIFY(QFile(path("evaluate/classify-evaluate.txt")).size() > 0);

        // A set from elsewhere with only nevi and melanomas: matched by class name, bkl has no support.
        writeHamDataset(path("external").toStdString(), oneImagePerLesion(10, {"mel", "nv"}));
        const auto external = cli({"classify", path("external"), "--evaluate", path("derm.dermnet"), "--json",
                                   "--out", path("evaluate-external")});
        QVERIFY2(external.exitCode == 0, external.err.constData());
        const auto e = QJsonDocument::fromJson(external.out).object();
        QCOMPARE(e["images"].toInt(), 10);
        QCOMPARE(e["test"].toObject()["per_class"].toObject()["bkl"].toObject()["support"].toInt(), 0);
        QCOMPARE(e["binary_aucs"].toObject()["mel_vs_nv"].toObject()["positives"].toInt(), 5);

        // --stress: the same images under each stress test, and per subgroup; unshifted = the plain report.
        const auto stressed = cli({"classify", path("ham"), "--evaluate", path("derm.dermnet"), "--stress", "--json",
                                   "--stress-examples", path("stress.png"), "--out", path("evaluate-stress")});
        QVERIFY2(stressed.exitCode == 0, stressed.err.constData());
        const auto g = QJsonDocument::fromJson(stressed.out).object()["generalisation"].toObject();
        const auto all = cli({"classify", path("ham"), "--evaluate", path("derm.dermnet"), "--json", "--out", path("evaluate-all")});
        QCOMPARE(g["unshifted"].toObject()["balanced_accuracy"].toDouble(),
                 QJsonDocument::fromJson(all.out).object()["test"].toObject()["balanced_accuracy"].toDouble());
        const auto stress = g["stress"].toArray();
        QCOMPARE(stress.size(), 8);
        QStringList names;
        for (const auto& s : stress)
            names << s.toObject()["name"].toString();
        QVERIFY2(names.contains("zoom_out_vignette") && names.contains("hairs") && names.contains("jpeg_q20"),
                 qPrintable(names.join(',')));
        QCOMPARE(stress[0].toObject()["images"].toInt(), 60);
        // Subgroups from the metadata (dx_type, localization) and from the pixels (framing, lesion size).
        const auto subgroups = g["subgroups"].toObject();
        QVERIFY2(subgroups.contains("framing") && subgroups.contains("lesion_size"), qPrintable(QJsonDocument(subgroups).toJson()));
        const auto histo = subgroups["dx_type"].toArray()[0].toObject();  // every test image is "histo" here
        QCOMPARE(histo["name"].toString(), QString("histo"));
        QCOMPARE(histo["balanced_accuracy"].toDouble(), g["unshifted"].toObject()["balanced_accuracy"].toDouble());
        QVERIFY(QFile(path("evaluate-stress/classify-evaluate.txt")).size() > 0);
        // The examples: 8 images a row, the unshifted row and one per stress test.
        const cv::Mat examples = dermgan::readImageRgb(path("stress.png").toStdString());
        QCOMPARE(examples.cols * 9, examples.rows * 8);

        // A diagnosis the classifier never learnt: one line naming it and what it knows.
        writeHamDataset(path("unknown").toStdString(), oneImagePerLesion(4, {"mel", "scc"}));
        expectError(cli({"classify", path("unknown"), "--evaluate", path("derm.dermnet")}), 3, "class 'scc'");
    }

    void metricsAndAuditOfATinyGenerator()
    {
        const auto train = cli(QStringList{"train", path("ham"), "--out", path("run"), "--kimg", "0.04", "--snap", "1"} + kTiny);
        QVERIFY2(train.exitCode == 0, train.err.constData());
        const QString model = path("run/latest.dermgan");

        const auto metrics = cli({"metrics", model, "--data", path("ham"), "--extractor", path("derm.dermnet"), "--count", "30",
                                  "--kid-subset-size", "8", "--per-class", "--out", path("reports"), "--json"});
        QVERIFY2(metrics.exitCode == 0, metrics.err.constData());
        const auto json = QJsonDocument::fromJson(metrics.out).object();
        const auto m = json["metrics"].toObject();
        QVERIFY(m.contains("fid_derm") && m.contains("kid_derm") && m.contains("precision_derm") && m.contains("coverage_derm"));
        QVERIFY(m["fid_derm"].toDouble() > 0);
        QVERIFY(m["precision_derm"].toDouble() >= 0 && m["precision_derm"].toDouble() <= 1);
        QCOMPARE(m["generated_count"].toInt(), 30);
        QVERIFY(json.contains("baseline_real_train_vs_test"));
        QVERIFY(json["training_speed"].toObject()["kimg"].toDouble() > 0);
        QVERIFY(json["per_class"].toObject().contains("mel"));
        QVERIFY(readJson(path("reports/metrics.json"))["command"].toString().startsWith("dermgan metrics"));

        // The two-sample classifier test: every real image (60) against 40 synthetic ones, 20 + 20 held out.
        const auto c2st = cli({"metrics", model, "--data", path("ham"), "--extractor", path("derm.dermnet"), "--subset", "all",
                               "--count", "40", "--metrics", "fid,c2st", "--no-baseline", "--out", path("c2st"), "--json"});
        QVERIFY2(c2st.exitCode == 0, c2st.err.constData());
        const auto c = QJsonDocument::fromJson(c2st.out).object()["metrics"].toObject();
        QCOMPARE(c["c2st_test_per_set"].toInt(), 20);
        QVERIFY(c.contains("fid_derm") && !c.contains("kid_derm"));
        const auto ci = c["c2st_auc_ci"].toArray();
        QVERIFY(ci[0].toDouble() <= c["c2st_auc"].toDouble() && c["c2st_auc"].toDouble() <= ci[1].toDouble());
        QVERIFY(c["c2st_accuracy"].toDouble() >= 0 && c["c2st_accuracy"].toDouble() <= 1);
        QVERIFY(QFile(path("c2st/metrics.txt")).open(QIODevice::ReadOnly));
        // The test split of this dataset is too small for it: skipped with the reason, the other metrics stand.
        const auto small = cli({"metrics", model, "--data", path("ham"), "--extractor", path("derm.dermnet"), "--metrics",
                                "fid,c2st", "--no-baseline", "--out", path("c2st-small"), "--json"});
        QVERIFY2(small.exitCode == 0, small.err.constData());
        const auto skipped = QJsonDocument::fromJson(small.out).object()["metrics"].toObject();
        QVERIFY2(skipped["c2st_skipped"].toString().contains("expected at least 20 images of each set"),
                 qPrintable(skipped["c2st_skipped"].toString()));
        QVERIFY(skipped.contains("fid_derm") && !skipped.contains("c2st_auc"));

        // A second run reads the cached features and gives the same numbers.
        const auto again = cli({"metrics", model, "--data", path("ham"), "--extractor", path("derm.dermnet"), "--count", "30",
                                "--kid-subset-size", "8", "--out", path("reports2"), "--json"});
        QCOMPARE(QJsonDocument::fromJson(again.out).object()["metrics"].toObject()["fid_derm"].toDouble(), m["fid_derm"].toDouble());

        const auto audit = cli({"audit", model, "--data", path("ham"), "--extractor", path("derm.dermnet"), "--count", "20",
                                "--out", path("audit"), "--json"});
        QVERIFY2(audit.exitCode == 0, audit.err.constData());
        const auto a = QJsonDocument::fromJson(audit.out).object();
        QCOMPARE(a["synthetic_count"].toInt(), 20);
        QVERIFY(a["median_test_to_train_distance"].toDouble() >= 0);
        QVERIFY(fs::exists(path("audit/audit-closest-pairs.png").toStdString()));
        QVERIFY(fs::exists(path("audit/audit-pairs.csv").toStdString()));

        // The predictive-ability study on synthetic images of that generator.
        const auto synthetic = cli({"--threads", "1", "classify", path("ham"), "--train", "synthetic", "--generator", model,
                                    "--epochs", "1", "--batch", "8", "--resolution", "16", "--synthetic-count", "24",
                                    "--balance", "balanced", "--out", path("reports")});
        QVERIFY2(synthetic.exitCode == 0, synthetic.err.constData());
        const auto s = readJson(path("reports/classify-synthetic.json"));
        QCOMPARE(s["train_images"].toInt(), 24);
        QCOMPARE(s["synthetic"].toObject()["per_class"].toArray().size(), 3);
    }

    void projectionAndDirections()
    {
        const QString model = path("run/latest.dermgan");
        const QStringList nets{"--perceptual", path("derm.dermnet"), "--extractor", path("derm.dermnet")};
        const auto run = cli(QStringList{"project", model, "--data", path("ham"), "--subsets", "train,test", "--count", "3",
                                         "--steps", "5", "--out", path("proj"), "--json"} + nets);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json["summary"].toObject()["train"].toObject()["count"].toInt(), 3);
        QCOMPARE(json["summary"].toObject()["test"].toObject()["count"].toInt(), 3);
        const auto first = json["images"].toArray().first().toObject();
        QCOMPARE(first["curve"].toArray().size(), 5);
        QVERIFY(first["distances"].toObject()["ssim"].toDouble() <= 1.0);
        QVERIFY(fs::exists(path("proj/project.txt").toStdString()));
        // The latent as .npy, and as the reference projector's projected_w.npz: np.load(f)['w'], [1, num_ws, w_dim].
        const auto ws = readNpy(path("proj/" + first["ws_file"].toString()).toStdString());
        const auto projected = parseNpy(ZipArchive(path("proj/" + first["projected_w_file"].toString()).toStdString()).read("w.npy"), "w");
        QCOMPARE(projected.sizes(), (std::vector<int64_t>{1, 6, 16}));
        QVERIFY(torch::equal(projected[0], ws.to(torch::kFloat32).reshape({6, 16})));

        // A file of another size is resized with a note; a conditional model needs the class.
        cv::Mat photo(40, 48, CV_8UC3);
        cv::randu(photo, cv::Scalar::all(0), cv::Scalar::all(255));
        QVERIFY(cv::imwrite(path("photo.png").toStdString(), photo));
        const auto file = cli(QStringList{"project", model, path("photo.png"), "--class", "mel", "--steps", "3", "--out",
                                          path("proj-file")} + nets);
        QVERIFY2(file.exitCode == 0, file.err.constData());
        QVERIFY(QString::fromUtf8(file.err).contains("resized to 16x16"));
        expectError(cli(QStringList{"project", model, path("photo.png"), "--steps", "3"} + nets), 3, "--class");
        expectError(cli(QStringList{"project", model, path("photo.png"), "--class", "mel", "--space", "z"} + nets), 3, "--space");

        // Without a calibration the report says the distances cannot be read against real lesions.
        QVERIFY(QString::fromUtf8(file.out).contains("No calibration beside the model"));
        // Calibrated on held-out lesions (never the training split), later projections are read against them.
        expectError(cli(QStringList{"project", model, "--data", path("ham"), "--subsets", "train", "--calibrate"} + nets), 3, "held-out");
        const auto calibrate = cli(QStringList{"project", model, "--data", path("ham"), "--subsets", "val", "--count", "2",
                                               "--steps", "3", "--calibrate", "--out", path("proj-cal")} + nets);
        QVERIFY2(calibrate.exitCode == 0, calibrate.err.constData());
        QVERIFY(fs::exists(path("run/latest.calibration.json").toStdString()) && fs::exists(path("run/latest.calibration.npz").toStdString()));
        const auto read = cli(QStringList{"project", model, path("photo.png"), "--class", "mel", "--steps", "3", "--out",
                                          path("proj-read"), "--json"} + nets);
        QVERIFY2(read.exitCode == 0, read.err.constData());
        const auto calibrated = QJsonDocument::fromJson(read.out).object()["images"].toArray().first().toObject()["calibrated"].toObject();
        QVERIFY(calibrated["novelty_percentile"].toDouble() >= 0 && calibrated["novelty_percentile"].toDouble() <= 100);
        // The photo is noise: unlike every lesion, so it is not ranked, however close its projection.
        QVERIFY(calibrated["out_of_distribution"].toBool());
        QVERIFY(calibrated["closer_than_held_out_percent"].toObject().isEmpty());
        QVERIFY(calibrated["reading"].toString().startsWith("OUT OF DISTRIBUTION"));
        // A training lesion is read against the held-out ones.
        const auto lesion = cli(QStringList{"project", model, "--data", path("ham"), "--subsets", "train", "--count", "1", "--steps", "3",
                                            "--out", path("proj-lesion"), "--json"} + nets);
        QVERIFY2(lesion.exitCode == 0, lesion.err.constData());
        const auto typical = QJsonDocument::fromJson(lesion.out).object()["images"].toArray().first().toObject()["calibrated"].toObject();
        QVERIFY2(!typical["out_of_distribution"].toBool(), lesion.out.constData());
        QVERIFY(typical["closer_than_held_out_percent"].toObject().contains("perceptual"));
        QVERIFY(typical["reading"].toString().startsWith("projected as close as or closer than"));
        // Trivial inputs are named as such and never ranked as close (they are still projected: a decoding check).
        writeSolidImage(path("dot.png").toStdString(), 1, 1, {120, 80, 60});
        writeSolidImage(path("flat.png").toStdString(), 64, 64, {120, 80, 60});
        const auto trivial = cli(QStringList{"project", model, path("dot.png"), path("flat.png"), "--class", "mel", "--steps", "3",
                                             "--out", path("proj-trivial"), "--json"} + nets);
        QVERIFY2(trivial.exitCode == 0, trivial.err.constData());
        QVERIFY(trivial.err.contains("too small") && trivial.err.contains("almost constant"));
        for (const auto& image : QJsonDocument::fromJson(trivial.out).object()["images"].toArray()) {
            QVERIFY(!image.toObject()["not_ranked"].toString().isEmpty());
            QVERIFY(!image.toObject().contains("calibrated"));
        }
        fs::remove(path("run/latest.calibration.json").toStdString());  // later tests project without one

        const auto directions = cli({"directions", model, "--out", path("dirs.json"), "--pca", "4", "--samples", "500", "--npz",
                                     path("dirs.npz")});
        QVERIFY2(directions.exitCode == 0, directions.err.constData());
        QVERIFY(directions.out.contains("4 principal") && directions.out.contains("3 class directions"));
        const ZipArchive vectors(path("dirs.npz").toStdString());
        QCOMPARE(vectors.names().size(), std::size_t(7));  // pc0-pc3 and one per class, [w_dim] unit vectors
        const auto pc0 = parseNpy(vectors.read("pc0.npy"), "pc0");
        QCOMPARE(pc0.sizes(), (std::vector<int64_t>{16}));
        QVERIFY(std::abs(pc0.norm().item<double>() - 1.0) < 1e-4);
        const auto boundaries = cli({"directions", model, "--out", path("dirs2.json"), "--pca", "2", "--samples", "200",
                                     "--boundaries", path("proj"), "--data", path("ham"), "--attributes", "dx", "--min-count", "1"});
        QVERIFY2(boundaries.exitCode == 0, boundaries.err.constData());
        QVERIFY2(boundaries.out.contains("dx="), boundaries.out.constData());
    }

    void embeddingMaps()
    {
        const QString model = path("run/latest.dermgan");
        const auto tsne = cli({"embed", model, "--data", path("ham"), "--count", "20", "--perplexity", "5", "--iterations", "100",
                               "--extractor", path("derm.dermnet"), "--out", path("emb"), "--json"});
        QVERIFY2(tsne.exitCode == 0, tsne.err.constData());
        const auto json = QJsonDocument::fromJson(tsne.out).object();
        const int points = json["points"].toInt();
        QVERIFY(points > 20);  // the real test images (fewer than 20 here) and 20 synthetic ones
        QVERIFY(json["trustworthiness_k10"].toDouble() > 0 && json["trustworthiness_k10"].toDouble() <= 1);
        QFile csv(path("emb/embedding.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), points + 1);
        QVERIFY(lines[1].contains(",real,") && lines.last().contains(",synthetic,"));
        QVERIFY(fs::exists(path("emb/tensors.tsv").toStdString()) && fs::exists(path("emb/metadata.tsv").toStdString()));

        const auto w = cli({"embed", model, "--space", "w", "--method", "pca", "--count", "30", "--out", path("emb-w"), "--json"});
        QVERIFY2(w.exitCode == 0, w.err.constData());
        QCOMPARE(QJsonDocument::fromJson(w.out).object()["dimensions"].toInt(), 16);
        expectError(cli({"embed", model, "--method", "umapp", "--data", path("ham")}), 3, "--method");

        // UMAP with the projections of projectionAndDirections as a third source, and the TensorBoard sprite.
        const auto umap = cli({"embed", model, "--data", path("ham"), "--count", "20", "--method", "umap", "--neighbours", "5",
                               "--projections", path("proj"), "--sprite", "--extractor", path("derm.dermnet"), "--out",
                               path("emb-umap"), "--json"});
        QVERIFY2(umap.exitCode == 0, umap.err.constData());
        const int umapPoints = QJsonDocument::fromJson(umap.out).object()["points"].toInt();
        QCOMPARE(umapPoints, points + 6);  // the 3 train + 3 test projections
        QFile umapCsv(path("emb-umap/embedding.csv"));
        QVERIFY(umapCsv.open(QIODevice::ReadOnly));
        QVERIFY(umapCsv.readAll().trimmed().split('\n').last().contains(",projected,"));
        const cv::Mat sprite = dermgan::readImageRgb(path("emb-umap/sprite.png").toStdString());
        const int columns = static_cast<int>(std::ceil(std::sqrt(double(umapPoints))));
        QCOMPARE(sprite.cols, columns * 16);  // 16x16 thumbnails of the 16x16 model
        QCOMPARE(sprite.rows, ((umapPoints + columns - 1) / columns) * 16);
        QFile config(path("emb-umap/projector_config.pbtxt"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QVERIFY(config.readAll().contains("single_image_dim: 16"));

        const auto wProjected = cli({"embed", model, "--space", "w", "--method", "pca", "--count", "30", "--projections",
                                     path("proj"), "--out", path("emb-wp"), "--json"});
        QVERIFY2(wProjected.exitCode == 0, wProjected.err.constData());
        QCOMPARE(QJsonDocument::fromJson(wProjected.out).object()["points"].toInt(), 36);

        // Projections made with another model are refused.
        QDir().mkpath(path("proj-other"));
        QFile other(path("proj-other/project.json"));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(R"({"model_hash": "0123456789abcdef", "images": []})");
        other.close();
        expectError(cli({"embed", model, "--space", "w", "--projections", path("proj-other")}), 3, "were made with model");
    }

    void readerStudySessionsArePooled()
    {
        // Two readers of one model, 4 trials each (2 real, 2 synthetic): reader A right 3 times, B twice and
        // one trial still open.
        using dermgan::metrics::ReaderAnswer;
        dermgan::metrics::ReaderStudySession a;
        a.reader = "A";
        a.model = "tiny.dermgan";
        a.modelHash = "h1";
        a.resolution = 16;
        a.classNames = {"nv", "mel"};
        a.trials = {{false, "I1", 0, 0}, {true, "", 5, 0}, {false, "I2", 0, 1}, {true, "", 6, 1}};
        a.answers = {ReaderAnswer{false, 4, -1, 1}, ReaderAnswer{true, 5, -1, 1}, ReaderAnswer{false, 3, -1, 1},
                     ReaderAnswer{false, 2, -1, 1}};
        auto b = a;
        b.reader = "B, second";
        b.answers = {ReaderAnswer{true, 2, -1, 1}, ReaderAnswer{true, 4, -1, 1}, ReaderAnswer{false, 4, -1, 1}, std::nullopt};
        dermgan::metrics::saveReaderStudy(a, path("study-a.json").toStdString());
        dermgan::metrics::saveReaderStudy(b, path("study-b.json").toStdString());

        const auto run = cli({"reader-study", path("study-a.json"), path("study-b.json"), "--out", path("readers")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString text = QString::fromUtf8(run.out);
        QVERIFY2(text.contains("5 of 7") && text.contains("session not finished"), qPrintable(text));
        const auto json = readJson(path("readers/reader-study.json"));
        QCOMPARE(json["answered"].toInt(), 7);
        QCOMPARE(json["accuracy"].toObject()["successes"].toInt(), 5);
        QCOMPARE(json["sensitivity_synthetic"].toObject()["total"].toInt(), 3);
        QCOMPARE(json["readers"].toArray().size(), 2);
        QCOMPARE(json["readers"].toArray()[1].toObject()["results"].toObject()["accuracy"].toObject()["successes"].toInt(), 2);
        QVERIFY(json["command"].toString().contains("reader-study"));
        QFile csv(path("readers/reader-study.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 9);  // header + 8 trials
        QVERIFY2(lines[0].startsWith("reader,trial,source"), qPrintable(lines[0]));
        QVERIFY2(lines[5].startsWith("\"B, second\",1,real,I1,"), qPrintable(lines[5]));

        // Sessions of two models are not pooled; damaged and missing files are one line naming the file.
        b.modelHash = "h2";
        dermgan::metrics::saveReaderStudy(b, path("study-c.json").toStdString());
        expectError(cli({"reader-study", path("study-a.json"), path("study-c.json")}), 3, "study-c.json");
        b.modelHash = a.modelHash;
        b.psi = 0.7;  // the same model shown at another truncation is another experiment
        dermgan::metrics::saveReaderStudy(b, path("study-e.json").toStdString());
        expectError(cli({"reader-study", path("study-a.json"), path("study-e.json")}), 3, "another psi");
        writeText(path("study-d.json").toStdString(), "{\"format\": \"dermgan-reader-study\", \"version\": 1}");
        expectError(cli({"reader-study", path("study-d.json")}), 3, "study-d.json");
        expectError(cli({"reader-study", path("none.json")}), 3, "none.json");
    }

    void badInput()
    {
        expectError(cli({"classify", path("ham"), "--train", "synthetic"}), 3, "--generator");
        expectError(cli({"classify", path("ham"), "--train", "dreams"}), 3, "real, synthetic or mixed");
        expectError(cli({"metrics", path("run/latest.dermgan"), "--data", path("ham"), "--extractor", path("none.pt")}), 3,
                    "does not exist");
        expectError(cli({"metrics", path("run/latest.dermgan"), "--data", path("ham"), "--extractor", path("derm.dermnet"),
                         "--metrics", "fid,is"}), 3, "metric 'is'");
        expectError(cli({"metrics", path("run/latest.dermgan"), "--data", path("ham"), "--subset", "holdout",
                         "--extractor", path("derm.dermnet")}), 3, "subset 'holdout'");
        expectError(cli({"audit", path("derm.dermnet"), "--data", path("ham")}), 3, "not a dermgan snapshot");
    }
};

QTEST_GUILESS_MAIN(TestCliEvaluation)
#include "test_cli_evaluation.moc"
