// The distribution metrics (FID, KID, precision/recall, density/coverage), the classification report and
// the memorisation audit, on sets whose answers are known in closed form, and against numpy/scipy; the
// classifier two-sample test on image sets made in code that are alike or differ by a texture; the reader
// study's plan, statistics and session file.
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "common/errors.h"
#include "io/npy.h"
#include "test_support.h"
#include "metrics/bootstrap.h"
#include "metrics/classification_report.h"
#include "metrics/distribution_metrics.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/manifold_metrics.h"
#include "metrics/metric_catalogue.h"
#include "metrics/memorisation_audit.h"
#include "metrics/reader_study.h"
#include "metrics/synthetic_set.h"
#include "metrics/two_sample_test.h"

using namespace dermgan;
using namespace dermgan::metrics;
using dermgan::test::writeText;

namespace {

// A random orthogonal matrix (QR of a Gaussian matrix).
torch::Tensor randomRotation(int64_t d)
{
    return std::get<0>(torch::linalg::qr(torch::randn({d, d}, torch::kDouble)));
}

GaussianStats gaussian(const torch::Tensor& mean, const torch::Tensor& covariance)
{
    GaussianStats s;
    s.mean = mean;
    s.covariance = covariance;
    s.count = 1000;
    return s;
}

// `count` 16x16 lesion-like images: a disc of random size and colour on a darker skin tone, seeded.
// `speckle` adds the one repeated texture an undertrained generator lays over every lesion.
torch::Tensor discImages(int64_t count, std::uint64_t seed, bool speckle)
{
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto options = torch::TensorOptions().dtype(torch::kFloat);
    const auto coords = torch::arange(16, options) - 7.5;
    const auto radius2 = (coords.view({1, 16, 1}).pow(2) + coords.view({1, 1, 16}).pow(2));
    const auto r = 3.0 + 4.0 * at::rand({count, 1, 1}, generator, options);
    const auto inside = (radius2 < r * r).to(torch::kFloat).unsqueeze(1);  // [N, 1, 16, 16]
    const auto skin = 150.0 + 60.0 * at::rand({count, 3, 1, 1}, generator, options);
    const auto lesion = 40.0 + 80.0 * at::rand({count, 3, 1, 1}, generator, options);
    auto images = skin * (1 - inside) + lesion * inside + 6.0 * at::randn({count, 3, 16, 16}, generator, options);
    if (speckle) {
        const auto checker = ((coords.view({16, 1}) + coords.view({1, 16}) + 15).remainder(2) * 2 - 1);
        images = images + 30.0 * checker;
    }
    return images.clamp(0, 255).round().to(torch::kUInt8);
}

TwoSampleTestOptions smallTwoSampleTest()
{
    TwoSampleTestOptions options;
    options.widths = {8, 16};
    options.epochs = 10;
    options.batch = 16;
    options.resamples = 400;
    return options;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void fidOfASetAgainstItselfIsZero()
    {
        const auto x = torch::randn({500, 16});
        const auto s = gaussianStats(x);
        QVERIFY(std::abs(frechetDistance(s, s)) < 1e-9);
    }

    void fidMatchesTheClosedFormForCommutingCovariances()
    {
        // S1 = Q D1 Q^T and S2 = Q D2 Q^T commute: FID = |mu1 - mu2|^2 + sum (sqrt d1 - sqrt d2)^2.
        const int64_t d = 12;
        const auto q = randomRotation(d);
        const auto d1 = torch::rand({d}, torch::kDouble) + 0.5, d2 = torch::rand({d}, torch::kDouble) * 3 + 0.1;
        const auto mu1 = torch::randn({d}, torch::kDouble), mu2 = torch::randn({d}, torch::kDouble);
        const auto a = gaussian(mu1, q.mm(torch::diag(d1)).mm(q.t())), b = gaussian(mu2, q.mm(torch::diag(d2)).mm(q.t()));
        const double expected =
            (mu1 - mu2).square().sum().item<double>() + (d1.sqrt() - d2.sqrt()).square().sum().item<double>();
        QVERIFY2(std::abs(frechetDistance(a, b) - expected) < 1e-8 * std::max(1.0, expected),
                 qPrintable(QString("%1 vs %2").arg(frechetDistance(a, b)).arg(expected)));
    }

    void fidOfAShiftedGaussianSampleIsTheSquaredShift()
    {
        // 20k samples of N(0, I) and N(mu, I) in 4-D: FID -> |mu|^2 = 4 up to sampling error (~0.01).
        const auto x = torch::randn({20000, 4}), y = torch::randn({20000, 4}) + torch::tensor({1.0f, -1.0f, 1.0f, 1.0f});
        const double fid = frechetDistance(gaussianStats(x), gaussianStats(y));
        QVERIFY2(std::abs(fid - 4.0) < 0.1, qPrintable(QString::number(fid)));
    }

    void kidIsUnbiasedAndSeparates()
    {
        // Brute-force unbiased MMD^2 on a small case.
        const auto x = torch::randn({6, 3}, torch::kDouble), y = torch::randn({6, 3}, torch::kDouble) + 0.5;
        double kxx = 0, kyy = 0, kxy = 0;
        const auto k = [](const torch::Tensor& a, const torch::Tensor& b) { return std::pow(a.dot(b).item<double>() / 3 + 1, 3); };
        for (int i = 0; i < 6; ++i)
            for (int j = 0; j < 6; ++j) {
                if (i != j) {
                    kxx += k(x[i], x[j]);
                    kyy += k(y[i], y[j]);
                }
                kxy += k(x[i], y[j]);
            }
        const double expected = (kxx + kyy) / 30.0 - 2 * kxy / 36.0;
        QVERIFY(std::abs(unbiasedMmd2(x.to(torch::kFloat), y.to(torch::kFloat)) - expected) < 1e-4 * std::max(1.0, std::abs(expected)));

        // Same distribution: the estimate averages to ~0 (unbiased) and goes negative as often as not;
        // shifted distributions: clearly positive.
        const auto a = torch::randn({2000, 32}), b = torch::randn({2000, 32}), c = torch::randn({2000, 32}) + 0.3;
        KernelDistanceOptions options;
        options.subsets = 50;
        options.maxSubsetSize = 200;
        const auto same = kernelDistance(a, b, options), shifted = kernelDistance(a, c, options);
        QVERIFY2(std::abs(same.mean) < 4 * same.stddev / std::sqrt(50.0), qPrintable(QString::number(same.mean)));
        QVERIFY(shifted.mean > 10 * shifted.stddev / std::sqrt(50.0));
    }

    void manifoldMetricsOnConstructedSets()
    {
        // Identical sets: every metric at its ideal value. Each open k-NN ball holds the point itself and its
        // k - 1 nearer neighbours, so density is 1; the k-th neighbour sits on the boundary, where float
        // rounding may count it in: at most 1 + 1/k.
        const auto real = torch::randn({300, 8});
        const auto same = compareFeatures(real, real, "test");
        QVERIFY(same.fidReliable);
        QVERIFY(!compareFeatures(real.narrow(0, 0, 8), real.narrow(0, 8, 8), "test", {{"fid"}}).fidReliable);
        QCOMPARE(same.pr.precision, 1.0);
        QCOMPARE(same.pr.recall, 1.0);
        QCOMPARE(same.dc.coverage, 1.0);
        QVERIFY2(same.dc.density >= 1.0 - 1e-9 && same.dc.density <= 1.0 + 1.0 / same.dc.k, qPrintable(QString::number(same.dc.density)));

        // Far away: nothing inside the other's manifold.
        const auto far = compareFeatures(real, real + 100.0, "test");
        QCOMPARE(far.pr.precision, 0.0);
        QCOMPARE(far.pr.recall, 0.0);
        QCOMPARE(far.dc.density, 0.0);
        QCOMPARE(far.dc.coverage, 0.0);

        // Mode collapse: real has two far clusters, the generator only reproduces one. Precision stays ~1,
        // recall and coverage drop to ~0.5. (2-D, where 500 k-NN balls cover a Gaussian well.)
        const auto clusterA = torch::randn({500, 2}), clusterB = torch::randn({500, 2}) + 50.0;
        const auto twoModes = torch::cat({clusterA, clusterB});
        const auto collapsed = compareFeatures(twoModes, torch::randn({1000, 2}), "test");
        QVERIFY2(collapsed.pr.precision > 0.95, qPrintable(QString::number(collapsed.pr.precision)));
        QVERIFY2(collapsed.pr.recall > 0.45 && collapsed.pr.recall < 0.55, qPrintable(QString::number(collapsed.pr.recall)));
        QVERIFY2(collapsed.dc.coverage > 0.45 && collapsed.dc.coverage < 0.55, qPrintable(QString::number(collapsed.dc.coverage)));
    }

    void metricsAgreeWithNumpyAndScipy()
    {
        const char* python = std::getenv("DERMGAN_PYTHON");
        const QString interpreter = python && *python ? python : "/usr/bin/python3";
        QProcess probe;
        probe.start(interpreter, {"-c", "import numpy, scipy"});
        if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
            QSKIP("no python3 with numpy and scipy (apt-get install python3-scipy) for the reference computation");
        QTemporaryDir dir;
        const auto real = torch::randn({400, 24}), generated = torch::randn({400, 24}) * 1.2 + 0.2;
        writeNpy(std::filesystem::path(dir.path().toStdString()) / "real.npy", real);
        writeNpy(std::filesystem::path(dir.path().toStdString()) / "generated.npy", generated);
        QProcess reference;
        reference.start(interpreter, {QFINDTESTDATA("reference/distribution_metrics.py"), dir.path()});
        QVERIFY(reference.waitForFinished(120000));
        QCOMPARE(reference.exitCode(), 0);
        const auto expected = QJsonDocument::fromJson(reference.readAllStandardOutput()).object();

        DistributionOptions options;
        options.kid.subsets = 1;  // one subset of every row: no random choice to match
        options.kid.maxSubsetSize = 400;
        const auto ours = compareFeatures(real, generated, "test", options);
        const auto close = [](double a, double b, double tolerance) { return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b)); };
        QVERIFY2(close(ours.fid, expected["fid"].toDouble(), 1e-4), qPrintable(QString("FID %1 vs %2").arg(ours.fid).arg(expected["fid"].toDouble())));
        QVERIFY2(close(ours.kid.mean, expected["kid"].toDouble(), 1e-4), qPrintable(QString("KID %1 vs %2").arg(ours.kid.mean).arg(expected["kid"].toDouble())));
        QCOMPARE(ours.pr.precision, expected["precision"].toDouble());
        QCOMPARE(ours.pr.recall, expected["recall"].toDouble());
        QVERIFY(close(ours.dc.density, expected["density"].toDouble(), 1e-12));
        QCOMPARE(ours.dc.coverage, expected["coverage"].toDouble());
    }

    void classificationReport()
    {
        // 3 classes; rows: true label; probabilities chosen so the argmax is known.
        const std::vector<int> labels{0, 0, 0, 1, 1, 2};
        const auto probs = torch::tensor({0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.3, 0.6, 0.1, 0.1, 0.1, 0.8},
                                         torch::kDouble).view({6, 3});
        const auto report = evaluatePredictions(probs, labels, {"a", "mel", "c"}, "mel");
        // Predictions 0, 0, 1 | 1, 1 | 2: one 'a' taken for 'mel'.
        QCOMPARE(report.accuracy, 5.0 / 6.0);
        // Recalls: a 2/3, mel 1, c 1.
        QVERIFY(std::abs(report.balancedAccuracy - (2.0 / 3 + 1.0 + 1.0) / 3) < 1e-12);
        QCOMPARE(report.confusion[0][1], std::int64_t{1});
        QCOMPARE(report.confusion[1][1], std::int64_t{2});
        // Precision of mel: 2 of 3 predicted, recall 1: F1 = 2 * (2/3) / (5/3) = 0.8.
        QVERIFY(std::abs(report.f1[1] - 0.8) < 1e-12);
        // The melanoma AUC from the 'mel' column: positives score 0.8, 0.6; negatives 0.1, 0.3, 0.7, 0.1.
        // Pairs won: 0.8 beats all 4, 0.6 beats 3 of 4 -> 7 / 8.
        QCOMPARE(report.positiveAuc, 7.0 / 8.0);
        // Ties count one half (the scikit-learn example gives 0.75).
        QCOMPARE(rocAuc({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}), 0.75);
        QCOMPARE(rocAuc({0.5, 0.5}, {false, true}), 0.5);
        QVERIFY(std::isnan(rocAuc({0.1, 0.2}, {true, true})));
    }

    void apportioningIsExact()
    {
        const auto counts = syntheticClassCounts(1000, {6705, 1113, 1099, 514, 327, 142, 115}, "real");
        QCOMPARE(std::accumulate(counts.begin(), counts.end(), int64_t{0}), int64_t{1000});
        // nv: 6705 / 10015 of 1000 = 669.50; the floors leave 3 images, which go to the largest remainders
        // (bkl .73, akiec .65, nv .50).
        QCOMPARE(counts[0], int64_t{670});
        QCOMPARE(counts[2], int64_t{110});
        const auto balanced = syntheticClassCounts(10, {5, 5, 5}, "balanced");
        QCOMPARE(std::accumulate(balanced.begin(), balanced.end(), int64_t{0}), int64_t{10});
        QVERIFY_THROWS_EXCEPTION(InputError, syntheticClassCounts(10, {1, 2}, "uniform"));
    }

    void auditFlagsCopies()
    {
        const auto train = torch::randn({500, 16}), test = torch::randn({200, 16});
        // 20 exact copies of training rows among 200 fresh samples.
        const auto copies = train.narrow(0, 0, 20);
        const auto synthetic = torch::cat({copies, torch::randn({180, 16})});
        const auto audit = auditMemorisation(synthetic, train, test, 0.01);
        for (int i = 0; i < 20; ++i) {
            QVERIFY(audit.nearCopy[static_cast<std::size_t>(i)]);
            QCOMPARE(audit.nearestTrain[static_cast<std::size_t>(i)], int64_t{i});
        }
        // Fresh samples behave like held-out real ones: about 1% flagged (allow up to 5%).
        int64_t freshFlagged = 0;
        for (std::size_t i = 20; i < audit.nearCopy.size(); ++i)
            freshFlagged += audit.nearCopy[i];
        QVERIFY(freshFlagged <= 9);
    }

    void npyRoundTrip()
    {
        QTemporaryDir dir;
        const auto file = std::filesystem::path(dir.path().toStdString()) / "x.npy";
        for (const auto& t : {torch::randn({3, 5}), torch::randn({7}).to(torch::kFloat64), torch::arange(6).view({1, 2, 3})}) {
            writeNpy(file, t);
            QVERIFY(torch::equal(readNpy(file), t));
        }
        writeText(file, "not numpy");
        QVERIFY_THROWS_EXCEPTION(InputError, readNpy(file));
    }

    void bootstrapIntervalMatchesTheBinomialStandardError()
    {
        // 400 positives and 400 negatives, 70% classified right in each group: the accuracy's standard error
        // is sqrt(0.7 * 0.3 / 800) = 0.0162, so a 95% interval is about 2 * 1.96 * 0.0162 = 0.0635 wide.
        std::vector<double> scores;
        std::vector<bool> positive;
        for (int i = 0; i < 800; ++i) {
            positive.push_back(i % 2 == 0);
            const bool right = (i / 2) % 10 < 7;
            scores.push_back(positive.back() == right ? 0.9 : 0.1);
        }
        auto accuracy = [](const std::vector<double>& s, const std::vector<bool>& p) {
            double right = 0;
            for (std::size_t i = 0; i < s.size(); ++i)
                right += (s[i] > 0.5) == p[i];
            return right / static_cast<double>(s.size());
        };
        const auto interval = stratifiedBootstrap(scores, positive, accuracy, 2000, 5);
        QVERIFY2(interval.low < 0.7 && interval.high > 0.7, qPrintable(QString("%1 %2").arg(interval.low).arg(interval.high)));
        QVERIFY2(std::abs((interval.high - interval.low) - 0.0635) < 0.012, qPrintable(QString::number(interval.high - interval.low)));
        // Perfect separation has no spread; the AUC stays defined in every resample because groups keep their sizes.
        const std::vector<double> separated{0.1, 0.2, 0.8, 0.9};
        const std::vector<bool> labels{false, false, true, true};
        const auto perfect = stratifiedBootstrap(separated, labels, rocAuc, 100, 1);
        QCOMPARE(perfect.low, 1.0);
        QCOMPARE(perfect.high, 1.0);
        QVERIFY_THROWS_EXCEPTION(InputError, stratifiedBootstrap({0.1, 0.2}, {true, true}, rocAuc, 100, 1));
        QVERIFY_THROWS_EXCEPTION(InputError, stratifiedBootstrap({0.1}, {true, false}, rocAuc, 100, 1));
    }

    void twoSampleTestTellsATextureApartButNotASecondSample()
    {
        torch::set_num_threads(1);
        const auto real = discImages(160, 1, false);
        const auto alike = classifierTwoSampleTest(real, discImages(160, 2, false), smallTwoSampleTest());
        const auto textured = classifierTwoSampleTest(real, discImages(160, 3, true), smallTwoSampleTest());
        const QString detail = QString::fromStdString(toText(alike) + " | " + toText(textured));
        qInfo("%s", qPrintable(detail));
        QCOMPARE(alike.testPerSet, int64_t(80));
        QCOMPARE(alike.trainPerSet + alike.valPerSet, int64_t(80));
        // A second sample of the same distribution: near chance (SE of the AUC at 80 + 80 is about 0.046).
        QVERIFY2(alike.auc < 0.68 && std::abs(alike.accuracy - 0.5) < 0.15, qPrintable(detail));
        // The same lesions under one repeated speckle: told apart almost always.
        QVERIFY2(textured.auc > 0.9 && textured.accuracy > 0.8, qPrintable(detail));
        QVERIFY2(textured.aucInterval.low > alike.aucInterval.high, qPrintable(detail));
        for (const auto& t : {alike, textured}) {
            QVERIFY(t.aucInterval.low <= t.auc && t.auc <= t.aucInterval.high);
            QVERIFY(t.accuracyInterval.low <= t.accuracy && t.accuracy <= t.accuracyInterval.high);
        }
        const auto json = toJson(textured);
        QCOMPARE(json["c2st_auc"].get<double>(), textured.auc);
        QCOMPARE(json["c2st_auc_ci"][0].get<double>(), textured.aucInterval.low);
    }

    void twoSampleTestRefusesTooFewOrMismatchedImages()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, classifierTwoSampleTest(discImages(19, 1, false), discImages(40, 2, false)));
        QVERIFY_THROWS_EXCEPTION(InputError, classifierTwoSampleTest(discImages(40, 1, false),
                                                                     torch::zeros({40, 3, 32, 32}, torch::kUInt8)));
    }

    void wilsonIntervalMatchesPublishedValues()
    {
        // Brown, Cai & DasGupta (2001) / any statistics table: 8 of 10 -> [0.490, 0.943]; 0 of 10 -> [0, 0.278].
        const auto eight = wilsonProportion(8, 10);
        QCOMPARE(eight.value, 0.8);
        QVERIFY2(std::abs(eight.low - 0.4902) < 5e-4 && std::abs(eight.high - 0.9433) < 5e-4,
                 qPrintable(QString("%1 %2").arg(eight.low).arg(eight.high)));
        const auto none = wilsonProportion(0, 10);
        QVERIFY(none.low >= 0 && none.low < 1e-12);
        QVERIFY(std::abs(none.high - 0.2775) < 5e-4);
        QVERIFY(std::isnan(wilsonProportion(0, 0).value));
        // Half of 1000: symmetric and about +-1.96 * sqrt(0.25 / 1000) = 0.031.
        const auto half = wilsonProportion(500, 1000);
        QVERIFY(std::abs((half.high - 0.5) - 0.031) < 1e-3 && std::abs((0.5 - half.low) - 0.031) < 1e-3);
    }

    void readerStudyPlanIsBalancedSeededAndSpreadOverDiagnoses()
    {
        // 100 nevi, 3 melanomas, 2 keratoses: 6 real images take 2 of each before a third nevus.
        std::vector<RealCandidate> candidates;
        for (int i = 0; i < 105; ++i)
            candidates.push_back({"img" + std::to_string(i), i < 100 ? 0 : (i < 103 ? 1 : 2)});
        const auto plan = planReaderTrials(candidates, 3, 6, 7);
        QCOMPARE(plan.size(), std::size_t(12));
        std::map<int, int> realPerClass, syntheticPerClass;
        std::set<std::string> ids;
        std::set<std::uint32_t> seeds;
        for (const auto& trial : plan) {
            if (trial.synthetic) {
                ++syntheticPerClass[trial.classIndex];
                seeds.insert(trial.seed);
                QVERIFY(trial.imageId.empty());
            } else {
                ++realPerClass[trial.classIndex];
                ids.insert(trial.imageId);
            }
        }
        QCOMPARE(ids.size(), std::size_t(6));
        QCOMPARE(seeds.size(), std::size_t(6));
        QCOMPARE(realPerClass, (std::map<int, int>{{0, 2}, {1, 2}, {2, 2}}));
        QCOMPARE(syntheticPerClass, realPerClass);  // the diagnosis gives nothing away
        // Shuffled: the two kinds are not in blocks.
        int changes = 0;
        for (std::size_t i = 1; i < plan.size(); ++i)
            changes += plan[i].synthetic != plan[i - 1].synthetic;
        QVERIFY(changes >= 3);
        // Seeded: the same plan again, another seed another plan.
        const auto again = planReaderTrials(candidates, 3, 6, 7);
        const auto other = planReaderTrials(candidates, 3, 6, 8);
        bool same = true, differs = false;
        for (std::size_t i = 0; i < plan.size(); ++i) {
            same = same && again[i].synthetic == plan[i].synthetic && again[i].imageId == plan[i].imageId && again[i].seed == plan[i].seed;
            differs = differs || other[i].imageId != plan[i].imageId || other[i].seed != plan[i].seed;
        }
        QVERIFY(same);
        QVERIFY(differs);
        // An unconditional model: synthetic trials have no diagnosis.
        for (const auto& trial : planReaderTrials(candidates, 0, 4, 1))
            QVERIFY(!trial.synthetic || trial.classIndex == -1);
        QVERIFY_THROWS_EXCEPTION(InputError, planReaderTrials(candidates, 3, 0, 1));
        QVERIFY_THROWS_EXCEPTION(InputError, planReaderTrials(candidates, 3, 106, 1));
    }

    void readerStudyStatisticsCountWhatTheReaderSaid()
    {
        ReaderStudySession session;
        session.classNames = {"nv", "mel"};
        session.askDiagnosis = true;
        // real nv, real mel, synthetic nv, synthetic mel, synthetic mel (unanswered)
        session.trials = {{false, "a", 0, 0}, {false, "b", 0, 1}, {true, "", 11, 0}, {true, "", 12, 1}, {true, "", 13, 1}};
        session.answers = {ReaderAnswer{false, 5, 0, 1.0},   // right, confident, diagnosis right
                           ReaderAnswer{true, 2, 0, 2.0},    // wrong (called synthetic), diagnosis wrong
                           ReaderAnswer{true, 4, 0, 1.5},    // right, diagnosis right
                           ReaderAnswer{false, 3, -1, 3.0},  // wrong, no diagnosis
                           std::nullopt};
        QCOMPARE(session.nextTrial(), std::size_t(4));
        QVERIFY(!session.complete());
        const auto r = summariseReaderStudy(session);
        QCOMPARE(r.answered, 4);
        QCOMPARE(r.accuracy.successes, 2);
        QCOMPARE(r.accuracy.total, 4);
        QCOMPARE(r.sensitivity.successes, 1);  // 1 of 2 answered synthetic images called synthetic
        QCOMPARE(r.sensitivity.total, 2);
        QCOMPARE(r.specificity.successes, 1);
        QCOMPARE(r.specificity.total, 2);
        QCOMPARE(r.perDiagnosis.size(), std::size_t(2));
        QCOMPARE(r.perDiagnosis[0].className, std::string("nv"));
        QCOMPARE(r.perDiagnosis[0].realVsSynthetic.successes, 2);
        QCOMPARE(r.perDiagnosis[1].realVsSynthetic.successes, 0);
        QCOMPARE(r.diagnosisOnReal.successes, 1);
        QCOMPARE(r.diagnosisOnReal.total, 2);
        QCOMPARE(r.diagnosisOnSynthetic.successes, 1);
        QCOMPARE(r.diagnosisOnSynthetic.total, 1);
        QCOMPARE(r.meanConfidenceCorrect, 4.5);
        QCOMPARE(r.meanConfidenceWrong, 2.5);
        // Ratings: real -5 and +2, synthetic +4 and -3: pairs (syn > real) = (4>-5, 4>2, -3>-5) = 3 of 4.
        QCOMPARE(r.ratingAuc, 0.75);
        const auto json = toJson(r);
        QCOMPARE(json["accuracy"]["value"].get<double>(), 0.5);
        QCOMPARE(json["per_diagnosis_accuracy"]["mel"]["total"].get<int>(), 2);
    }

    void readerStudySessionRoundTripsAndDamageIsOneLine()
    {
        QTemporaryDir dir;
        ReaderStudySession session;
        session.reader = "reader, A";
        session.model = "models/x.dermgan";
        session.modelHash = "abc";
        session.dataset = "/data/ham";
        session.resolution = 64;
        session.psi = 0.9;
        session.seed = 3;
        session.askDiagnosis = true;
        session.classNames = {"nv", "mel"};
        session.trials = {{false, "ISIC_1,x", 0, 1}, {true, "", 2147483647u, 0}};
        session.answers = {ReaderAnswer{true, 3, 1, 2.5}, std::nullopt};
        const auto file = std::filesystem::path(dir.path().toStdString()) / "study.json";
        saveReaderStudy(session, file);
        const auto back = loadReaderStudy(file);
        QCOMPARE(toJson(back), toJson(session));
        QCOMPARE(back.nextTrial(), std::size_t(1));
        QCOMPARE(back.trials[1].seed, 2147483647u);
        QCOMPARE(back.answers[0]->diagnosis, 1);
        // The CSV quotes an id with a comma and leaves the unanswered trial's answer empty.
        const auto csv = readerStudyCsv(back);
        QVERIFY2(csv.find("1,real,\"ISIC_1,x\",,mel,synthetic,3,mel,2.5,0\n") != std::string::npos, csv.c_str());
        QVERIFY2(csv.find("2,synthetic,,2147483647,nv,,,,,\n") != std::string::npos, csv.c_str());

        const auto text = toJson(session).dump();
        const auto damaged = [&](const std::string& from, const std::string& to) {
            auto changed = text;
            const auto at = changed.find(from);
            QVERIFY2(at != std::string::npos, from.c_str());
            changed.replace(at, from.size(), to);
            writeText(file, changed);
            try {
                loadReaderStudy(file);
                QFAIL(qPrintable(QString::fromStdString("accepted: " + to)));
            } catch (const InputError& e) {
                const std::string message = e.what();
                QVERIFY2(message.find("study.json") != std::string::npos && message.find('\n') == std::string::npos, e.what());
            }
        };
        damaged("\"version\":1", "\"version\":2");
        damaged("\"confidence\":3", "\"confidence\":9");
        damaged("\"confidence\":3", "\"confidence\":1e300");
        damaged("\"seed\":3", "\"seed\":-3");
        damaged("\"diagnosis\":\"mel\"", "\"diagnosis\":\"bcc\"");
        damaged("\"source\":\"real\"", "\"source\":\"fake\"");
        damaged("dermgan-reader-study", "dermgan-projection-calibration");
        damaged("\"trials\":[", "\"trials\":7,\"x\":[");
        writeText(file, "{\"format\": \"dermgan-reader");
        QVERIFY_THROWS_EXCEPTION(InputError, loadReaderStudy(file));
        QVERIFY_THROWS_EXCEPTION(InputError, loadReaderStudy(std::filesystem::path(dir.path().toStdString()) / "missing.json"));
    }

    void tooSmallSetsAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, precisionRecall(torch::randn({3, 4}), torch::randn({10, 4}), 3));
        QVERIFY_THROWS_EXCEPTION(InputError, gaussianStats(torch::randn({1, 4})));
        QVERIFY_THROWS_EXCEPTION(InputError, compareFeatures(torch::randn({10, 4}), torch::randn({10, 4}), "x", {{"fld"}}));
    }

    // The catalogue is what the CLI, the Evaluate tab and the model card enumerate: every features metric in
    // it must have a computation whose report carries each value it lists, under the key the GUI reads.
    void theCatalogueDrivesEveryFeaturesMetric()
    {
        std::set<std::string> all;
        for (const auto& metric : metricCatalogue()) {
            QVERIFY(findMetric(metric.name) == &metric);
            QVERIFY2(!metric.values.empty() && !metric.help.empty(), metric.name.c_str());
            if (metric.input == MetricInput::Features) {
                QVERIFY2(hasFeatureComputation(metric.name), metric.name.c_str());
                all.insert(metric.name);
            }
        }
        QVERIFY(!hasFeatureComputation("c2st"));  // a pixels metric: metrics_command runs it
        torch::manual_seed(3);
        const auto real = torch::randn({40, 3}), generated = torch::randn({40, 3}) + 0.5;
        const auto json = toJson(compareFeatures(real, generated, "test", {all}));
        for (const auto& metric : metricCatalogue())
            for (const auto& value : metric.values)
                if (metric.input == MetricInput::Features)
                    QVERIFY2(json.contains(reportKey(metric, value, "test")), reportKey(metric, value, "test").c_str());
        QCOMPARE(defaultFeatureMetrics(), all);
        QCOMPARE(metricNameList(), std::string("fid, kid, pr, dc or c2st"));
        QCOMPARE(metricNameList(MetricInput::Features), std::string("fid, kid, pr or dc"));
        QCOMPARE(metricOption(true), std::string("fid,kid,pr,dc"));
        QCOMPARE(reportLabel(*findMetric("pr"), findMetric("pr")->values[1], "derm"), std::string("Recall-derm"));
        QCOMPARE(reportLabel(*findMetric("fid"), findMetric("fid")->values[0], "inception"), std::string("FID (inception)"));
        QCOMPARE(reportKey(*findMetric("c2st"), findMetric("c2st")->values[1], "derm"), std::string("c2st_auc"));
        try {
            compareFeatures(real, generated, "test", {{"c2st"}});
            QFAIL("a pixels metric was computed on features");
        } catch (const InputError& e) {
            QCOMPARE(std::string(e.what()), std::string("metric 'c2st' is not known; expected fid, kid, pr or dc"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
