#include "train/sample_grid.h"

#include <string>
#include <vector>

#include <torch/torch.h>

#include "io/image_io.h"
#include "nets/latents.h"

namespace dermgan::train {

void writeSampleGrid(nets::Generator& G, const std::filesystem::path& path, int64_t kimg)
{
    torch::NoGradGuard noGrad;
    const int classCount = G->config.classCount;
    const int columns = 8;
    const int rows = classCount > 0 ? classCount : 8;
    std::vector<std::uint32_t> seeds;
    std::vector<int64_t> labels;
    for (int r = 0; r < rows; ++r)
        for (int col = 0; col < columns; ++col) {
            seeds.push_back(static_cast<std::uint32_t>(classCount > 0 ? col : r * columns + col));
            labels.push_back(r);
        }
    const auto options = torch::TensorOptions().device(G->parameters().front().device());
    const auto z = nets::latentsFromSeeds(seeds, G->config.zDim).to(options.device());
    G->eval();
    torch::Tensor images;
    for (int64_t start = 0; start < z.size(0); start += 16) {  // bounded memory at 256x256
        const int64_t count = std::min<int64_t>(16, z.size(0) - start);
        const std::vector<int64_t> part(labels.begin() + start, labels.begin() + start + count);
        auto batch = G->forward(z.narrow(0, start, count), nets::oneHot(part, classCount, options), 1.0,
                                nets::NoiseMode::Const);
        images = images.defined() ? torch::cat({images, batch}) : batch;
    }
    writePng(path, tensorGrid(images, columns),
             {{"Software", "dermgan"}, {"dermgan:synthetic", "true"}, {"dermgan:kimg", std::to_string(kimg)},
              {"Description", classCount > 0 ? "synthetic sample grid: one row per class, seeds 0-7 per column"
                                             : "synthetic sample grid: seeds 0-63"}});
}

} // namespace dermgan::train
