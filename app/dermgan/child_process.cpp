#include "child_process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "invocation.h"
#include "terminal_progress.h"

extern char** environ;

namespace dermgan::cli {

int runLoggedChild(const std::vector<std::string>& arguments, const std::filesystem::path& log)
{
    std::filesystem::create_directories(log.parent_path());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const auto& argument : arguments)
        argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        throw std::runtime_error("cannot start " + shellLine(arguments) + ": " + std::strerror(spawned));
    bool forwarded = false;
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            throw std::runtime_error(std::string("waiting for a child process failed: ") + std::strerror(errno));
        // A terminal's Ctrl-C reaches the child anyway (same process group); a signal sent to this process
        // alone (a GUI's Cancel, kill -INT) must be passed on.
        if (interrupted() && !forwarded) {
            kill(pid, SIGINT);
            forwarded = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace dermgan::cli
