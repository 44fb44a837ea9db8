// Federated and data-parallel training on c10d/Gloo: the aggregation primitives (threads in one process),
// the privacy step, and `dermgan federated-sim` / `train --federated` / `train --data-parallel` as separate
// processes over loopback: FedAvg equals the sample-weighted mean, a killed or hung site stops the others
// with a clear error, a resume continues from the last completed round, and a mismatched site is refused.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <arpa/inet.h>
#include <array>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fstream>
#include <thread>

#include <torch/torch.h>

#include "common/errors.h"
#include "distributed/aggregator.h"
#include "distributed/private_update.h"
#include "io/tagged_archive.h"
#include "model/snapshot.h"
#include "model/training_snapshot.h"
#include "nets/discriminator.h"
#include "nets/generator.h"
#include "test_support.h"

using namespace dermgan;
using namespace dermgan::test;
namespace fs = std::filesystem;

namespace {

// A tiny architecture that trains in seconds.
const QStringList kTiny = tinyNetworkOptions() + QStringList{"--subset", "all", "--tick", "0.008"};

// The weights one snapshot holds for G, D and G_ema, and its federation entry.
struct SiteWeights {
    std::vector<std::vector<torch::Tensor>> modules;  // G, D, G_ema: parameters then floating buffers
    std::vector<std::string> hashes;
    nlohmann::json federation;
};

SiteWeights readWeights(const fs::path& path)
{
    TrainingSnapshotReader snapshot(path);
    const auto config = snapshot.config();
    SiteWeights weights;
    weights.federation = snapshot.federation();
    nets::Generator g(config.network), gEma(config.network);
    nets::Discriminator d(config.network);
    snapshot.loadNetworks(*gEma, *g, *d);
    const std::array<torch::nn::Module*, 3> modules{g.get(), d.get(), gEma.get()};  // the order the sites compare
    for (torch::nn::Module* module : modules) {
        std::vector<torch::Tensor> tensors;
        for (const auto& p : module->parameters())
            tensors.push_back(p.detach().clone());
        for (const auto& b : module->buffers())
            if (b.is_floating_point())
                tensors.push_back(b.detach().clone());
        weights.modules.push_back(tensors);
        weights.hashes.push_back(moduleHash(*module));
    }
    return weights;
}

std::vector<QJsonObject> jsonLines(const fs::path& path)
{
    std::vector<QJsonObject> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        lines.push_back(QJsonDocument::fromJson(QByteArray::fromStdString(line)).object());
    return lines;
}

// Runs `body(rank)` on `world` threads, each joined to one group through a FileStore; returns the errors.
std::vector<std::string> onThreads(int world, const fs::path& store, int timeoutSeconds,
                                   const std::function<void(distributed::Aggregator&)>& body, int absent = -1)
{
    std::vector<std::string> errors(static_cast<std::size_t>(world));
    std::vector<std::thread> threads;
    for (int rank = 0; rank < world; ++rank) {
        if (rank == absent)
            continue;
        threads.emplace_back([&, rank] {
            try {
                distributed::Rendezvous r;
                r.storeFile = store.string();
                r.rank = rank;
                r.world = world;
                r.timeout = std::chrono::seconds(timeoutSeconds);
                auto group = distributed::connect(r);
                body(*group);
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(rank)] = e.what();
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    return errors;
}

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    QString path(const QString& name) const { return dir_->filePath(name); }
    fs::path fsPath(const QString& name) const { return path(name).toStdString(); }
    CliRun cli(const QStringList& arguments) const { return runCli(arguments, path("cache")); }

    // 90 lesions, one image each, three classes: the 6/31/63 % institution split gives every site images.
    void writeData()
    {
        writeHamDataset(fsPath("ham"), oneImagePerLesion(90, {"nv", "mel", "bkl"}));
    }

    void startProcess(QProcess& process, const QStringList& arguments)
    {
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("DERMGAN_CACHE_DIR", path("cache"));
        process.setProcessEnvironment(environment);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(DERMGAN_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY2(distributed::distributedAvailable(), "this build has no c10d/Gloo");
        dir_ = std::make_unique<QTemporaryDir>();
        writeData();
    }

    void badDistributedOptions()
    {
        const auto expectError = [](const CliRun& run, const QString& fragment) {
            QCOMPARE(run.exitCode, 3);
            const QString err = QString::fromUtf8(run.err).trimmed();
            QVERIFY2(err.contains(fragment) && !err.contains('\n'), qPrintable(err));
        };
        const QString data = path("ham");
        expectError(cli({"train", data, "--federated", "--rank", "3", "--world", "3", "--store-file", path("s")}), "impossible");
        expectError(cli({"train", data, "--federated", "--rank", "0", "--world", "3"}), "meeting point");
        expectError(cli({"train", data, "--rank", "1", "--world", "3"}), "need --federated");
        expectError(cli({"train", data, "--federated", "--data-parallel", "--store-file", path("s")}), "exclude each other");
        expectError(cli({"train", data, "--federated", "--store-file", path("s"), "--kimg", "5"}), "--kimg does not apply");
        expectError(cli({"train", data, "--federated", "--store-file", path("s"), "--weighting", "votes", "--dry-run"}),
                    "--weighting 'votes'");
        expectError(cli({"train", data, "--federated", "--store-file", path("s"), "--dp-noise", "1", "--dry-run"}),
                    "--dp-noise needs --dp-clip");
        expectError(cli({"federated-sim", data, "--sites", "3", "--rank", "1"}), "set by federated-sim");
        expectError(cli(QStringList{"train", data, "--data-parallel", "--master", "nowhere"} + kTiny), "host:port");
    }

    void weightedAverageBroadcastAndExchange()
    {
        const int world = 3;
        std::vector<std::vector<float>> results(world);
        std::vector<std::string> broadcasted(world), exchanged(world);
        const auto errors = onThreads(world, fsPath("store"), 30, [&](distributed::Aggregator& group) {
            const int k = group.rank();
            // Site k holds the value k + 1 with weight (k + 1) * 10: the mean is (10 + 40 + 90) / 60.
            auto a = torch::full({2, 3}, static_cast<float>(k + 1));
            auto b = torch::full({4}, static_cast<float>(-(k + 1)));
            group.weightedAverage({a, b}, (k + 1) * 10.0);
            results[static_cast<std::size_t>(k)] = {a[0][0].item<float>(), a[1][2].item<float>(), b[3].item<float>()};
            auto c = torch::full({3}, static_cast<float>(k));
            auto d = torch::full({2, 2}, static_cast<float>(k));
            group.broadcast(std::vector<torch::Tensor>{c, d}, 2);
            broadcasted[static_cast<std::size_t>(k)] = std::to_string(c.sum().item<float>() + d.sum().item<float>());
            const auto values = group.exchange("name", "site" + std::to_string(k));
            exchanged[static_cast<std::size_t>(k)] = values[0] + values[1] + values[2];
            auto grads = torch::full({5}, static_cast<float>(k));
            group.average({grads});
            QCOMPARE(grads[4].item<float>(), 1.0f);
        });
        for (const auto& error : errors)
            QVERIFY2(error.empty(), error.c_str());
        const float mean = 140.0f / 60.0f;
        for (const auto& r : results) {
            QCOMPARE(r[0], mean);
            QCOMPARE(r[1], mean);
            QCOMPARE(r[2], -mean);
        }
        for (int k = 0; k < world; ++k) {
            QCOMPARE(broadcasted[static_cast<std::size_t>(k)], std::to_string(14.0f));
            QCOMPARE(exchanged[static_cast<std::size_t>(k)], std::string("site0site1site2"));
        }
    }

    void anAbsentSiteTimesOut()
    {
        QElapsedTimer timer;
        timer.start();
        const auto errors = onThreads(3, fsPath("store"), 3, [](distributed::Aggregator&) {}, 1);
        QVERIFY2(timer.elapsed() < 30000, "the others gave up within the timeout");
        for (int k : {0, 2})
            QVERIFY2(!errors[static_cast<std::size_t>(k)].empty(), "a missing site is an error, not a hang");
    }

    void privateUpdateClipsAndAddsNoise()
    {
        const auto start = torch::zeros({1000});
        auto current = torch::full({1000}, 0.1f);  // norm sqrt(1000) * 0.1 = 3.16
        distributed::PrivateUpdateOptions options;
        options.clip = 1.0;
        auto report = distributed::privatiseUpdate({current}, {start}, options, 7);
        QVERIFY(std::abs(report.updateNorm - std::sqrt(10.0)) < 1e-5);
        QVERIFY(std::abs(current.norm().item<double>() - 1.0) < 1e-5);  // clipped onto the ball
        auto small = torch::full({1000}, 0.001f);  // norm 0.0316: inside the ball, unchanged
        report = distributed::privatiseUpdate({small}, {start}, options, 7);
        QCOMPARE(report.scale, 1.0);
        QCOMPARE(small[0].item<float>(), 0.001f);

        options.noiseMultiplier = 0.5;
        auto noisy = torch::zeros({20000});
        report = distributed::privatiseUpdate({noisy}, {torch::zeros({20000})}, options, 11);
        QCOMPARE(report.noiseStd, 0.5);
        QVERIFY(std::abs(noisy.std().item<double>() - 0.5) < 0.02);
        auto again = torch::zeros({20000});
        distributed::privatiseUpdate({again}, {torch::zeros({20000})}, options, 11);
        QVERIFY2(torch::equal(noisy, again), "the same seed gives the same noise (a resumed round adds the same)");

        options.clip = 0.0;
        QVERIFY_THROWS_EXCEPTION(InputError, distributed::privatiseUpdate({noisy}, {start}, options, 1));
        // Off: nothing changes, but the update's norm is still measured (rounds.jsonl reports it).
        options.noiseMultiplier = 0.0;
        auto untouched = torch::full({1000}, 0.1f);
        report = distributed::privatiseUpdate({untouched}, {start}, options, 1);
        QVERIFY(std::abs(report.updateNorm - std::sqrt(10.0)) < 1e-5);
        QCOMPARE(report.scale, 1.0);
        QVERIFY(torch::equal(untouched, torch::full({1000}, 0.1f)));
    }

    void federatedRoundsAverageBySampleCount()
    {
        const auto run = cli(QStringList{"federated-sim", "--sites", "3", "--out", path("fed"), path("ham"),
                                         "--rounds", "2", "--round-kimg", "0.016", "--keep-local", "--timeout", "60"} + kTiny);
        QVERIFY2(run.exitCode == 0, run.out.right(3000).constData());
        QVERIFY(run.out.contains("[site 2] "));
        for (int round : {1, 2}) {
            const QString tag = QString("%1").arg(round, 6, 10, QChar('0'));
            std::vector<SiteWeights> local, global;
            for (int k = 0; k < 3; ++k) {
                const QString site = QString("fed/site-%1/").arg(k);
                local.push_back(readWeights(fsPath(site + "local-round-" + tag + ".dermgan")));
                global.push_back(readWeights(fsPath(site + "round-" + tag + ".dermgan")));
            }
            double total = 0.0;
            for (const auto& site : local)
                total += site.federation.at("images").get<double>();
            QVERIFY(local[0].federation.at("images") != local[2].federation.at("images"));
            for (std::size_t m = 0; m < 3; ++m) {
                // Every site holds the same G, D and G_ema after the round...
                QCOMPARE(global[1].hashes[m], global[0].hashes[m]);
                QCOMPARE(global[2].hashes[m], global[0].hashes[m]);
                QVERIFY2(local[0].hashes[m] != local[1].hashes[m], "sites trained apart before aggregating");
                // ... equal to the sample-weighted mean of their local weights.
                for (std::size_t t = 0; t < global[0].modules[m].size(); ++t) {
                    auto mean = torch::zeros_like(global[0].modules[m][t], torch::kDouble);
                    for (const auto& site : local)
                        mean += site.modules[m][t].to(torch::kDouble) * site.federation.at("images").get<double>() / total;
                    // Stored as float32: within its rounding (2^-24 relative), whatever the magnitude.
                    const double error = ((global[0].modules[m][t].to(torch::kDouble) - mean).abs() /
                                          (mean.abs() + 1e-6)).max().item<double>();
                    QVERIFY2(error < 1e-6, qPrintable(QString("module %1 tensor %2 differs by %3 (relative)").arg(m).arg(t).arg(error)));
                }
            }
        }
        const auto rounds = jsonLines(fsPath("fed/rounds.jsonl"));
        QCOMPARE(rounds.size(), std::size_t(2));
        QCOMPARE(rounds[1]["round"].toInt(), 2);
        QCOMPARE(rounds[1]["sites"].toArray().size(), 3);
        QVERIFY(rounds[1]["sites"].toArray()[0].toObject()["sec_aggregate"].toDouble() > 0.0);
        // The global model opens like any generator.
        QVERIFY(loadGeneratorModel(fsPath("fed/latest.dermgan"), c10::kCPU).generator);
    }

    void aKilledSiteStopsTheOthersAndTheRunResumes()
    {
        const QStringList common = QStringList{"federated-sim", "--sites", "3", "--out", path("fed"), path("ham"),
                                               "--round-kimg", "0.016", "--timeout", "15"} + kTiny;
        QProcess launcher;
        startProcess(launcher, common + QStringList{"--rounds", "1000"});
        // Wait for a completed round, then kill site 2 as a crash would.
        QTRY_VERIFY_WITH_TIMEOUT(jsonLines(fsPath("fed/rounds.jsonl")).size() >= 1, 120000);
        QByteArray output = launcher.readAllStandardOutput();
        const QRegularExpression started("\\[site 2\\] started, pid (\\d+)");
        const auto match = started.match(QString::fromUtf8(output));
        QVERIFY(match.hasMatch());
        QCOMPARE(::kill(match.captured(1).toInt(), SIGKILL), 0);
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(launcher.waitForFinished(90000), "the survivors must not hang");
        output += launcher.readAllStandardOutput();
        QVERIFY2(timer.elapsed() < 60000, "the survivors stopped within the timeout (15 s) plus a round");
        // The supervisor stops the survivors at once (SIGTERM: they end their step and exit 130, or, blocked in
        // an aggregation with the dead site, are killed 10 s later) and exits with the failed site's code.
        QCOMPARE(launcher.exitCode(), 137);
        QVERIFY2(output.contains("[federated-sim] site 2 failed with exit code 137: stopping the other sites"),
                 output.right(3000).constData());
        for (int k : {0, 1})
            QVERIFY2(output.contains(QString("[site %1] exited with code 130").arg(k).toUtf8()) ||
                         output.contains(QString("[site %1] exited with code 137").arg(k).toUtf8()),
                     output.right(3000).constData());
        QVERIFY(output.contains("[site 2] exited with code 137"));

        // Every site resumes from the last round all of them completed and goes on.
        const int completed = static_cast<int>(jsonLines(fsPath("fed/rounds.jsonl")).size());
        const auto resumed = cli(common + QStringList{"--rounds", QString::number(completed + 1), "--resume", "latest"});
        QVERIFY2(resumed.exitCode == 0, resumed.out.right(3000).constData());
        const auto rounds = jsonLines(fsPath("fed/rounds.jsonl"));
        QVERIFY(static_cast<int>(rounds.size()) >= 2);
        for (std::size_t i = 0; i < rounds.size(); ++i)
            QCOMPARE(rounds[i]["round"].toInt(), static_cast<int>(i) + 1);  // no round missing or repeated
        std::vector<std::string> hashes;
        for (int k = 0; k < 3; ++k)
            hashes.push_back(readWeights(fsPath(QString("fed/site-%1/latest.dermgan").arg(k))).hashes[0]);
        QCOMPARE(hashes[1], hashes[0]);
        QCOMPARE(hashes[2], hashes[0]);
    }

    // Field case 19: with 9 lesions the 6 % institution gets no training images. That site failed at once,
    // the others waited out the store timeout, and the last line advised --resume though no round ran.
    void aSiteThatFailsAtStartStopsTheRunWithinSeconds()
    {
        writeHamDataset(fsPath("few"), oneImagePerLesion(9, {"nv", "mel", "bkl"}));
        QProcess launcher;
        QElapsedTimer timer;
        timer.start();
        // The lesion-grouped train split (not --subset all): institution 0's 3 lesions are all val/test.
        startProcess(launcher, QStringList{"federated-sim", "--sites", "3", "--out", path("fed"), path("few"), "--rounds",
                                           "2", "--round-kimg", "0.008", "--timeout", "120"} + tinyNetworkOptions());
        QVERIFY2(launcher.waitForFinished(110000), "the run must not wait for the store timeout");
        const QString output = QString::fromUtf8(launcher.readAll());
        QVERIFY2(timer.elapsed() < 60000, qPrintable(output.right(2000)));
        QVERIFY(launcher.exitCode() != 0);
        QVERIFY2(output.contains("no images") && output.contains("stopping the other sites"), qPrintable(output.right(2000)));
        QVERIFY2(!output.contains("--resume latest") && output.contains("nothing to resume"), qPrintable(output.right(2000)));
    }

    void ctrlCStopsEverySite()
    {
        QProcess launcher;
        startProcess(launcher, QStringList{"federated-sim", "--sites", "3", "--out", path("fed"), path("ham"), "--rounds",
                                           "1000", "--round-kimg", "0.016", "--timeout", "60"} + kTiny);
        QTRY_VERIFY_WITH_TIMEOUT(jsonLines(fsPath("fed/rounds.jsonl")).size() >= 1, 120000);
        QCOMPARE(::kill(static_cast<pid_t>(launcher.processId()), SIGINT), 0);  // what Ctrl-C (or Pause) sends
        QVERIFY2(launcher.waitForFinished(60000), "every site stops within a step");
        const QByteArray output = launcher.readAll();
        QCOMPARE(launcher.exitCode(), 130);
        for (int k = 0; k < 3; ++k)
            QVERIFY2(output.contains(QString("[site %1] exited with code 130").arg(k).toUtf8()), output.right(2000).constData());
        QVERIFY(!output.contains("error"));
    }

    void aHungSiteTimesOutTheOthers()
    {
        std::vector<std::unique_ptr<QProcess>> sites;
        for (int k = 0; k < 3; ++k) {
            sites.push_back(std::make_unique<QProcess>());
            startProcess(*sites.back(), QStringList{"train", path("ham"), "--federated", "--rank", QString::number(k),
                                                    "--world", "3", "--store-file", path("store"), "--out", path("fed"),
                                                    "--rounds", "1000", "--round-kimg", "0.016", "--timeout", "5"} + kTiny);
        }
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(fsPath("fed/site-2/round-000001.dermgan")), 120000);
        QCOMPARE(::kill(static_cast<pid_t>(sites[2]->processId()), SIGSTOP), 0);  // hung, sockets still open
        QElapsedTimer timer;
        timer.start();
        for (int k : {0, 1}) {
            QVERIFY2(sites[k]->waitForFinished(60000), "a hung site must not hang the others");
            const QString output = QString::fromUtf8(sites[k]->readAll());
            QCOMPARE(sites[k]->exitCode(), 4);
            QVERIFY2(output.contains("site 2 had not reached the aggregation"), qPrintable(output.right(1500)));
        }
        QVERIFY2(timer.elapsed() < 40000, "they gave up after the 5 s timeout, not much later");
        ::kill(static_cast<pid_t>(sites[2]->processId()), SIGKILL);
        sites[2]->waitForFinished();
        // Every survivor kept the last round all sites completed.
        QVERIFY(fs::exists(fsPath("fed/site-0/latest.dermgan")) && fs::exists(fsPath("fed/site-1/latest.dermgan")));
    }

    void aSiteWithAnotherConfigurationIsRefused()
    {
        std::vector<std::unique_ptr<QProcess>> sites;
        for (int k = 0; k < 3; ++k) {
            sites.push_back(std::make_unique<QProcess>());
            QStringList arguments{"train", path("ham"), "--federated", "--rank", QString::number(k), "--world", "3",
                                  "--store-file", path("store"), "--out", path("fed"), "--rounds", "1", "--round-kimg",
                                  "0.016", "--timeout", "30"};
            if (k == 2)
                arguments << "--gamma" << "5";
            startProcess(*sites.back(), arguments + kTiny);
        }
        for (auto& site : sites) {
            QVERIFY(site->waitForFinished(120000));
            const QString output = QString::fromUtf8(site->readAll());
            QCOMPARE(site->exitCode(), 4);
            QVERIFY2(output.contains("site 2's configuration"), qPrintable(output));
        }
        QVERIFY(!fs::exists(fsPath("fed/site-0/round-000001.dermgan")));
    }

    void dataParallelRanksStayIdentical()
    {
        // These two meet through a TCPStore (rank 0 serves it), as processes on different machines would.
        const QString master = QString("127.0.0.1:%1").arg(freePort());
        std::vector<std::unique_ptr<QProcess>> ranks;
        for (int k = 0; k < 2; ++k) {
            ranks.push_back(std::make_unique<QProcess>());
            startProcess(*ranks.back(), QStringList{"train", path("ham"), "--data-parallel", "--rank", QString::number(k),
                                                    "--world", "2", "--master", master, "--out", path("dp"),
                                                    "--kimg", "0.032", "--timeout", "30", "--aug-target", "-1", "--ada-kimg", "1"} + kTiny);
        }
        for (auto& rank : ranks) {
            QVERIFY(rank->waitForFinished(120000));
            QVERIFY2(rank->exitCode() == 0, rank->readAll().right(2000).constData());
        }
        const auto zero = readWeightsWithoutFederation(fsPath("dp/latest.dermgan"));
        const auto one = readWeightsWithoutFederation(fsPath("dp/rank-1/latest.dermgan"));
        QCOMPARE(one.first, zero.first);    // G, D, G_ema hashes
        QCOMPARE(one.second, zero.second);  // ADA p: the ranks adapt it from the same pooled statistics
        QVERIFY2(zero.second > 0.0, "p moved (target -1), so the pooled ADA statistics were exercised");
    }

private:
    // A port nobody listens on right now (the kernel's choice for port 0).
    static int freePort()
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        ::close(fd);
        return ntohs(address.sin_port);
    }

    static std::pair<std::vector<std::string>, double> readWeightsWithoutFederation(const fs::path& file)
    {
        TrainingSnapshotReader snapshot(file);
        const auto config = snapshot.config();
        const double p = snapshot.progress().augmentP;
        nets::Generator g(config.network), gEma(config.network);
        nets::Discriminator d(config.network);
        snapshot.loadNetworks(*gEma, *g, *d);
        return {{moduleHash(*g), moduleHash(*d), moduleHash(*gEma)}, p};
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
