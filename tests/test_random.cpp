// The common/ helpers: the seeded randomness behind splits (same numbers everywhere, and the distributions
// they claim), and the reading of other processes' CPU load that chooses thread counts.
#include <QtTest>

#include <cmath>
#include <numeric>
#include <thread>

#include "common/cpu_load.h"
#include "common/random.h"

using namespace dermgan;

class TestRandom : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void uniformBelowCoversRangeEvenly()
    {
        Rng rng(7);
        std::vector<int> counts(6, 0);
        const int draws = 60000;
        for (int i = 0; i < draws; ++i)
            ++counts[static_cast<std::size_t>(uniformBelow(rng, 6))];
        for (int c : counts)  // expected 10000, sd ~91: 5 sd
            QVERIFY2(std::abs(c - 10000) < 460, qPrintable(QString::number(c)));
    }

    void uniformBelowRejectsZero() { Rng rng(1); QVERIFY_THROWS_EXCEPTION(std::invalid_argument, uniformBelow(rng, 0)); }

    void gammaHasItsMean_data()
    {
        QTest::addColumn<double>("shape");
        QTest::newRow("0.3") << 0.3;
        QTest::newRow("1") << 1.0;
        QTest::newRow("4.5") << 4.5;
    }
    void gammaHasItsMean()
    {
        QFETCH(double, shape);
        Rng rng(11);
        const int n = 40000;
        double sum = 0;
        for (int i = 0; i < n; ++i)
            sum += gammaSample(rng, shape);
        // Var(Gamma(k)) = k: the mean of n draws has sd sqrt(k/n); allow 5 sd.
        QVERIFY(std::abs(sum / n - shape) < 5 * std::sqrt(shape / n));
    }

    void dirichletSumsToOne()
    {
        Rng rng(3);
        const auto p = dirichletSample(rng, {0.5, 2.0, 7.0});
        QCOMPARE(p.size(), std::size_t(3));
        QVERIFY(std::abs(std::accumulate(p.begin(), p.end(), 0.0) - 1.0) < 1e-12);
        for (double v : p)
            QVERIFY(v >= 0.0);
    }

    void shuffleIsAPermutationAndSeeded()
    {
        std::vector<int> a(50), b(50);
        std::iota(a.begin(), a.end(), 0);
        std::iota(b.begin(), b.end(), 0);
        Rng r1(42), r2(42);
        shuffleInPlace(a, r1);
        shuffleInPlace(b, r2);
        QCOMPARE(a, b);
        std::vector<int> sorted = a;
        std::sort(sorted.begin(), sorted.end());
        for (int i = 0; i < 50; ++i)
            QCOMPARE(sorted[static_cast<std::size_t>(i)], i);
        std::vector<int> identity(50);
        std::iota(identity.begin(), identity.end(), 0);
        QVERIFY(a != identity);
    }

    // mt19937_64's output is fixed by the C++ standard (10000th value of the default seed), and our helpers
    // only build on it: these values must be the same on every machine, or splits would differ.
    void streamsAreMachineIndependent()
    {
        std::mt19937_64 standard;
        standard.discard(9999);
        QCOMPARE(standard(), 9981545732273789042ULL);
        QCOMPARE(deriveSeed(0, 0), deriveSeed(0, 0));
        QVERIFY(deriveSeed(0, 1) != deriveSeed(0, 2));
        QVERIFY(deriveSeed(1, 1) != deriveSeed(2, 1));
    }
    void cpuLoadIsReadFromProcAndLeavesAThreadPerFreeCore()
    {
        const auto ticks = parseProcStat("cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\nintr 1\n");
        QVERIFY(ticks.has_value());
        QCOMPARE(ticks->busy, std::uint64_t(160));  // user + nice + system + irq + softirq + steal
        QCOMPARE(ticks->total, std::uint64_t(980));  // + idle + iowait
        QVERIFY(!parseProcStat("cpu0 1 2 3 4\n").has_value());
        QVERIFY(!parseProcStat("cpu  x y\n").has_value());
        // The command name may hold spaces and parentheses: fields are counted after the last ')'.
        QCOMPARE(parseProcessTicks("42 (a b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14"), std::optional<std::uint64_t>(23));
        QVERIFY(!parseProcessTicks("42 (short) S 1 2").has_value());
        QCOMPARE(threadsForLoad(2, 0.0), 2);
        QCOMPARE(threadsForLoad(2, 0.4), 2);
        QCOMPARE(threadsForLoad(2, 1.0), 1);
        QCOMPARE(threadsForLoad(2, 2.0), 1);  // never fewer than one
        QCOMPARE(threadsForLoad(16, 3.2), 13);
        QCOMPARE(threadsForLoad(4, -1.0), 4);  // never more than the cores
#ifdef __linux__
        const auto busy = busyCoresOfOthers(std::chrono::milliseconds(20));
        QVERIFY(busy.has_value());
        QVERIFY(*busy >= 0 && *busy <= std::thread::hardware_concurrency());
#endif
    }
};

QTEST_APPLESS_MAIN(TestRandom)
#include "test_random.moc"
