#include "fuzz_support.h"

#include <cstdlib>
#include <fstream>

#include <unistd.h>

#include <torch/torch.h>

#include "io/tagged_archive.h"
#include "model/snapshot.h"

namespace dermgan::fuzz {

const std::filesystem::path& scratchFolder()
{
    static const std::filesystem::path folder = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "dermgan-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            std::abort();
        return std::filesystem::path(pattern);
    }();
    return folder;
}

std::filesystem::path writeScratch(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    const auto path = scratchFolder() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

void writeTinyGenerator(const std::filesystem::path& path)
{
    torch::manual_seed(0);
    GeneratorModel model;
    auto& network = model.training.network;
    network.resolution = 16;
    network.classCount = 2;
    network.classNames = {"nv", "mel"};
    network.zDim = 8;
    network.wDim = 8;
    network.channelBase = 64;
    network.channelMax = 8;
    model.generator = nets::Generator(network);
    model.generator->eval();
    model.hash = moduleHash(*model.generator);
    exportGenerator(model, path);
}

} // namespace dermgan::fuzz
