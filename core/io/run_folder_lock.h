#pragma once
// One writer per run folder. Two `train --resume latest` on one folder both ran and one's stats lines were
// lost; now the second refuses in one line naming the first one's process. The lock is an flock on
// <folder>/.lock, so the kernel drops it when its holder exits, even by kill -9: no stale lock to clean up.
// Taking it also removes the temporary files (".name.tmp-PID-N") that a killed writer left behind. Within one
// process the lock nests (the CLI holds it while preparing data, the trainer while it runs).
#include <filesystem>
#include <string>

namespace dermgan {

class RunFolderLock {
public:
    // Creates the folder if needed. Throws InputError when another process holds the lock.
    explicit RunFolderLock(const std::filesystem::path& folder);
    ~RunFolderLock();
    RunFolderLock(const RunFolderLock&) = delete;
    RunFolderLock& operator=(const RunFolderLock&) = delete;

private:
    std::string key_;
};

// Removes ".name.tmp-PID-N" files in `folder` (written by writeFileAtomically) whose process has exited.
// Returns how many were removed.
int removeStaleTemporaries(const std::filesystem::path& folder);

} // namespace dermgan
