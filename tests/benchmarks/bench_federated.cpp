// Federated training speed: wall time per round and the aggregation overhead (seconds and % of a round)
// for the default 64x64 CPU model with 3 local processes (`dermgan federated-sim`), beside centralized
// training of the same total kimg in one process, measured in the same run. With --metrics, both models
// are also scored (FID-derm, KID, precision, recall, density, coverage against the real test split).
// Usage: bench_federated DATASET [--rounds 3] [--round-kimg 0.5] [--out DIR] [--metrics] [--cond on|off]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double run(const std::string& command)
{
    std::cout << "$ " << command << std::endl;
    const auto start = Clock::now();
    if (std::system(command.c_str()) != 0) {
        std::cerr << "bench_federated: the command failed: " << command << "\n";
        std::exit(1);
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<nlohmann::json> jsonLines(const fs::path& path)
{
    std::vector<nlohmann::json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

nlohmann::json scores(const std::string& cli, const fs::path& model, const std::string& data, const fs::path& out)
{
    run(cli + " --threads 2 metrics " + model.string() + " --data " + data + " --no-baseline --out " + out.string() +
        " > /dev/null");
    std::ifstream in(out / "metrics.json");
    return nlohmann::json::parse(in).at("metrics");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: bench_federated DATASET [--rounds 3] [--round-kimg 0.5] [--out DIR] [--metrics] [--cond on|off]\n";
        return 2;
    }
    const std::string data = argv[1];
    int rounds = 3;
    double roundKimg = 0.5;
    fs::path out = fs::temp_directory_path() / "dermgan-bench-federated";
    bool metrics = false;
    std::string cond = "on";
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rounds" && i + 1 < argc) rounds = std::atoi(argv[++i]);
        else if (a == "--round-kimg" && i + 1 < argc) roundKimg = std::atof(argv[++i]);
        else if (a == "--out" && i + 1 < argc) out = argv[++i];
        else if (a == "--cond" && i + 1 < argc) cond = argv[++i];
        else if (a == "--metrics") metrics = true;
        else { std::cerr << "bench_federated: unknown option " << a << "\n"; return 2; }
    }
    const std::string cli = DERMGAN_CLI_PATH;
    const int sites = 3;
    const double totalKimg = sites * rounds * roundKimg;
    char kimgText[32], roundText[32];
    std::snprintf(kimgText, sizeof kimgText, "%g", totalKimg);
    std::snprintf(roundText, sizeof roundText, "%g", roundKimg);
    fs::remove_all(out);
    const std::string common = " --cond " + cond + " --snap 1000 --tick 0.5 --json > /dev/null";

    // The peer: one process, both cores, the same total kimg.
    const double centralSeconds = run(cli + " train " + data + " --out " + (out / "central").string() + " --kimg " +
                                      kimgText + " --threads 2" + common);
    // Three institutions, one process each (one thread each: 3 processes share the 2 cores).
    const double federatedSeconds = run(cli + " federated-sim " + data + " --sites 3 --out " + (out / "fed").string() +
                                        " --rounds " + std::to_string(rounds) + " --round-kimg " + roundText +
                                        " --threads 1 --timeout 3600" + common);

    std::printf("\n%d rounds x %s local kimg x %d sites = %s kimg in all (64x64 CPU preset, cond %s)\n", rounds, roundText,
                sites, kimgText, cond.c_str());
    std::printf("%6s %10s %14s %14s %10s\n", "round", "wall s", "aggregate s", "allreduce s", "% round");
    double sumRound = 0, sumAggregate = 0, sumAllreduce = 0;
    for (const auto& round : jsonLines(out / "fed" / "rounds.jsonl")) {
        // The first site to finish waits for the others inside the all-reduce; the last one to arrive
        // measures the communication alone.
        double longest = 0, shortest = 1e30;
        for (const auto& site : round.at("sites")) {
            longest = std::max(longest, site.at("sec_aggregate").get<double>());
            shortest = std::min(shortest, site.at("sec_aggregate").get<double>());
        }
        const double wall = round.at("sec_round").get<double>();
        std::printf("%6d %10.1f %14.3f %14.3f %9.2f%%\n", round.at("round").get<int>(), wall, longest, shortest,
                    100.0 * shortest / wall);
        sumRound += wall;
        sumAggregate += longest;
        sumAllreduce += shortest;
    }
    std::printf("aggregation: %.3f s per round including waiting for the slowest site, %.3f s of communication "
                "(%.2f%% of a round)\n", sumAggregate / rounds, sumAllreduce / rounds, 100.0 * sumAllreduce / sumRound);
    std::printf("%-34s %10s %10s\n", "", "wall s", "sec/kimg");
    std::printf("%-34s %10.1f %10.1f\n", "centralized (1 process, 2 threads)", centralSeconds, centralSeconds / totalKimg);
    std::printf("%-34s %10.1f %10.1f\n", "federated (3 processes, 1 thread)", federatedSeconds, federatedSeconds / totalKimg);
    std::printf("federated / centralized wall time: %.2fx (process start-up and data loading included in both)\n",
                federatedSeconds / centralSeconds);
    if (metrics) {
        const auto central = scores(cli, out / "central" / "latest.dermgan", data, out / "metrics-central");
        const auto federated = scores(cli, out / "fed" / "latest.dermgan", data, out / "metrics-fed");
        std::printf("%-12s %9s %9s %9s %9s %9s %9s\n", "", "FID-derm", "KID", "precision", "recall", "density", "coverage");
        for (const auto& [name, m] : {std::pair{"centralized", central}, std::pair{"federated", federated}})
            std::printf("%-12s %9.2f %9.3f %9.3f %9.3f %9.3f %9.3f\n", name, m.at("fid_derm").get<double>(),
                        m.at("kid_derm").get<double>(), m.at("precision_derm").get<double>(),
                        m.at("recall_derm").get<double>(), m.at("density_derm").get<double>(),
                        m.at("coverage_derm").get<double>());
    }
    return 0;
}
