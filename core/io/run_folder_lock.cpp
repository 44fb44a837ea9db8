#include "io/run_folder_lock.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/errors.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

bool processAlive(long pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

std::string readHolder(int fd)
{
    char text[32] = {};
    const auto got = ::pread(fd, text, sizeof text - 1, 0);
    std::string holder(text, got > 0 ? static_cast<std::size_t>(got) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
        holder.pop_back();
    return holder.empty() ? std::string("?") : holder;
}

struct HeldLock {
    int fd = -1;
    int holders = 0;
};

// The folders this process holds (flock would refuse a second descriptor of the same process).
std::mutex heldMutex;
std::map<std::string, HeldLock> held;

} // namespace

RunFolderLock::RunFolderLock(const fs::path& folder)
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    key_ = fs::weakly_canonical(folder, ec).string();
    if (ec)
        key_ = fs::absolute(folder).lexically_normal().string();
    std::lock_guard<std::mutex> guard(heldMutex);
    auto& entry = held[key_];
    if (entry.holders > 0) {
        ++entry.holders;
        return;
    }
    const fs::path file = folder / ".lock";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        held.erase(key_);
        throw InputError("cannot create " + file.string() + ": check that the run folder is writable");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const std::string holder = readHolder(fd);
        ::close(fd);
        held.erase(key_);
        throw InputError("run folder " + folder.string() + " is in use by process " + holder +
                         " (another dermgan train); wait for it to finish, stop it, or choose another --out");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The lock holds without the note; only the message of a second run would lack the pid.
    }
    entry = {fd, 1};
    removeStaleTemporaries(folder);
}

RunFolderLock::~RunFolderLock()
{
    std::lock_guard<std::mutex> guard(heldMutex);
    const auto it = held.find(key_);
    if (it == held.end() || --it->second.holders > 0)
        return;
    ::close(it->second.fd);  // releases the flock
    held.erase(it);
}

int removeStaleTemporaries(const fs::path& folder)
{
    int removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const auto tag = name.rfind(".tmp-");
        if (name.empty() || name[0] != '.' || tag == std::string::npos)
            continue;
        const std::string rest = name.substr(tag + 5);  // PID-N
        const auto dash = rest.find('-');
        // A pid has at most 7 digits (pid_max is 2^22); anything else is not one of our temporary files.
        if (dash == std::string::npos || dash == 0 || dash > 7 || rest.find_first_not_of("0123456789-") != std::string::npos)
            continue;
        if (processAlive(std::strtol(rest.substr(0, dash).c_str(), nullptr, 10)))
            continue;
        std::error_code removeError;
        if (fs::remove(it->path(), removeError))
            ++removed;
    }
    return removed;
}

} // namespace dermgan
