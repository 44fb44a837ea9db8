// `dermgan federated-sim`: the study's decentralized setting on one machine. Starts one `dermgan train
// --federated` process per institution over loopback (a FileStore in the output folder), prefixes and
// streams their output, passes Ctrl-C on to all of them, and exits with the worst of their exit codes.
#include <chrono>
#include <optional>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/runtime.h"
#include "common/exit_codes.h"
#include "model_commands.h"
#include "terminal_progress.h"

extern char** environ;

namespace dermgan::cli {

namespace fs = std::filesystem;

namespace {

struct Site {
    int rank = 0;
    pid_t pid = -1;
    int output = -1;  // read end of its stdout + stderr
    std::string pending;
    int exitCode = -1;
};

Site startSite(int rank, const std::vector<std::string>& arguments)
{
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 2);
    std::vector<char*> argv;
    for (const auto& argument : arguments)
        argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    Site site;
    site.rank = rank;
    const int spawned = posix_spawn(&site.pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipeFds[1]);
    if (spawned != 0)
        throw std::runtime_error("cannot start site " + std::to_string(rank) + ": " + std::strerror(spawned));
    site.output = pipeFds[0];
    return site;
}

// A JSON object line (--json) gains "site": k and stays machine-readable; any other line gets "[site k] ".
void printLine(const Site& site, const std::string& line)
{
    if (!line.empty() && line.front() == '{') {
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_object()) {
            json["site"] = site.rank;
            std::cout << json.dump() << std::endl;
            return;
        }
    }
    std::cout << "[site " << site.rank << "] " << line << std::endl;
}

void flushLines(Site& site, bool final)
{
    std::size_t newline;
    while ((newline = site.pending.find('\n')) != std::string::npos) {
        printLine(site, site.pending.substr(0, newline));
        site.pending.erase(0, newline + 1);
    }
    if (final && !site.pending.empty()) {
        printLine(site, site.pending);
        site.pending.clear();
    }
}

void collectExit(Site& site, bool wait)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(site.pid, &status, wait ? 0 : WNOHANG)) < 0 && errno == EINTR) {
    }
    if (got == site.pid)
        site.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Streams every site's output until all have exited. A site that fails stops the others at once (they
// would otherwise wait for it until the store's timeout); one that ignores SIGTERM for 10 s is killed.
// Returns the rank of the site that failed first, or -1.
int superviseSites(std::vector<Site>& sites)
{
    int firstFailure = -1;
    bool forwarded = false;
    std::optional<std::chrono::steady_clock::time_point> stopping;
    std::size_t open = sites.size();
    while (open > 0) {
        if (interrupted() && !forwarded) {
            for (const auto& site : sites)
                if (site.exitCode < 0)
                    kill(site.pid, SIGINT);
            forwarded = true;
        }
        if (!stopping) {
            for (auto& site : sites) {
                if (site.exitCode < 0)
                    collectExit(site, false);
                if (site.exitCode > 0 && site.exitCode != kCancelled) {
                    firstFailure = site.rank;
                    std::cout << "[federated-sim] site " << site.rank << " failed with exit code " << site.exitCode
                              << ": stopping the other sites" << std::endl;
                    for (const auto& other : sites)
                        if (other.exitCode < 0)
                            kill(other.pid, SIGTERM);
                    stopping = std::chrono::steady_clock::now();
                    break;
                }
            }
        } else if (std::chrono::steady_clock::now() - *stopping > std::chrono::seconds(10)) {
            for (auto& site : sites)
                if (site.exitCode < 0)
                    kill(site.pid, SIGKILL);
        }
        std::vector<pollfd> fds;
        for (const auto& site : sites)
            if (site.output >= 0)
                fds.push_back({site.output, POLLIN, 0});
        poll(fds.data(), fds.size(), 200);
        for (auto& site : sites) {
            if (site.output < 0)
                continue;
            pollfd probe{site.output, POLLIN, 0};
            if (poll(&probe, 1, 0) <= 0)
                continue;
            char buffer[4096];
            const ssize_t n = read(site.output, buffer, sizeof buffer);
            if (n > 0) {
                site.pending.append(buffer, static_cast<std::size_t>(n));
                flushLines(site, false);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                flushLines(site, true);
                close(site.output);
                site.output = -1;
                --open;
            }
        }
    }
    for (auto& site : sites)
        if (site.exitCode < 0)
            collectExit(site, true);
    return firstFailure;
}

} // namespace

void addFederatedSimCommand(CLI::App& parent, int& exitCode)
{
    struct Args {
        int sites = 3;
        std::string out = "training-runs/federated";
    };
    auto args = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand(
        "federated-sim",
        "Simulate the study's decentralized setting on this machine: one `train --federated` process per institution");
    cmd->add_option("--sites", args->sites, "Institutions (processes); site k trains on institution k of the split")
        ->capture_default_str();
    cmd->add_option("--out,-o", args->out, "Output folder: site-<k>/ per institution, rounds.jsonl, latest.dermgan")
        ->capture_default_str();
    cmd->allow_extras();
    cmd->footer("Every other argument (the dataset, --rounds, --round-kimg, --resolution, --resume latest, ...) is\n"
                "passed to each site's `dermgan train --federated`. Ctrl-C stops all sites; --resume latest continues\n"
                "from the last round that every site completed. Without --threads, each site gets cores / sites threads.");
    cmd->callback([args, cmd, &exitCode] {
        if (args->sites < 1 || args->sites > 64)
            throw InputError("--sites " + std::to_string(args->sites) + " is out of range; expected 1 to 64");
        for (const auto& extra : cmd->remaining())
            for (const char* own : {"--rank", "--world", "--master", "--store-file", "--federated", "--data-parallel"})
                if (extra == own)
                    throw InputError(std::string(own) + " is set by federated-sim itself; leave it out");
        fs::create_directories(args->out);
        // A fresh meeting point per launch: a FileStore left by a killed run must not be joined again.
        const fs::path store = fs::path(args->out) / (".rendezvous-" + std::to_string(getpid()) + "-" +
                                                      std::to_string(std::chrono::system_clock::now().time_since_epoch().count()));
        // The sites share this machine's cores: without --threads, each gets its share, not all of them.
        const auto extras = cmd->remaining();
        const bool threadsGiven = std::find(extras.begin(), extras.end(), "--threads") != extras.end();
        const int share = requestedThreads() > 0 ? requestedThreads()  // dermgan --threads N federated-sim: N per site
                                                 : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / args->sites);
        std::vector<Site> sites;
        for (int k = 0; k < args->sites; ++k) {
            std::vector<std::string> arguments{"dermgan", "train"};
            arguments.insert(arguments.end(), extras.begin(), extras.end());
            if (!threadsGiven)
                arguments.insert(arguments.end(), {"--threads", std::to_string(share)});
            for (const std::string& own : {std::string("--federated"), std::string("--rank"), std::to_string(k),
                                           std::string("--world"), std::to_string(args->sites), std::string("--store-file"),
                                           store.string(), std::string("--out"), args->out})
                arguments.push_back(own);
            sites.push_back(startSite(k, arguments));
            std::cout << "[site " << k << "] started, pid " << sites.back().pid << std::endl;
        }
        const int firstFailure = superviseSites(sites);
        std::error_code ec;
        fs::remove(store, ec);
        exitCode = kOk;
        for (const auto& site : sites) {
            std::cout << "[site " << site.rank << "] exited with code " << site.exitCode << std::endl;
            if (site.exitCode != kOk && (exitCode == kOk || exitCode == kCancelled))
                exitCode = site.exitCode;
        }
        if (firstFailure >= 0)  // the cause, not a site stopped because of it
            exitCode = sites[static_cast<std::size_t>(firstFailure)].exitCode;
        if (exitCode != kOk && exitCode != kCancelled) {
            if (fs::exists(fs::path(args->out) / "latest.dermgan", ec))
                std::cerr << "dermgan: federated-sim: a site failed (exit code " << exitCode << "); completed rounds are in "
                          << args->out << ", continue with --resume latest\n";
            else
                std::cerr << "dermgan: federated-sim: a site failed (exit code " << exitCode
                          << ") before any round completed; fix it and start again (there is nothing to resume)\n";
        }
    });
}

} // namespace dermgan::cli
