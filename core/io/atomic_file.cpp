#include "io/atomic_file.h"

#include <fstream>
#include <random>
#include <unistd.h>

#include "common/errors.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

fs::path temporarySibling(const fs::path& destination)
{
    std::random_device device;
    const auto tag = std::to_string(::getpid()) + "-" + std::to_string(device());
    return destination.parent_path() / ("." + destination.filename().string() + ".tmp-" + tag);
}

} // namespace

void writeFileAtomically(const fs::path& destination, const std::function<void(std::ostream&)>& write)
{
    std::error_code ec;
    if (!destination.parent_path().empty()) {
        fs::create_directories(destination.parent_path(), ec);
        if (ec)
            throw InputError("cannot create folder " + destination.parent_path().string() + ": " + ec.message());
    }
    const fs::path temporary = temporarySibling(destination);
    try {
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            if (!out)
                throw InputError("cannot write " + temporary.string() + ": check that the folder is writable");
            write(out);
            out.flush();
            if (!out)
                throw InputError("writing " + destination.string() + " failed (disk full?)");
        }
        fs::rename(temporary, destination, ec);
        if (ec)
            throw InputError("cannot replace " + destination.string() + ": " + ec.message());
    } catch (...) {
        fs::remove(temporary, ec);
        throw;
    }
}

void writeTextFileAtomically(const fs::path& destination, const std::string& text)
{
    writeFileAtomically(destination, [&](std::ostream& out) { out << text; });
}

} // namespace dermgan
