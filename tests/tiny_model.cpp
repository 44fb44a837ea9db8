#include "tiny_model.h"

#include <torch/torch.h>

#include "explain/latent_directions.h"
#include "io/snapshot.h"
#include "nets/generator.h"

namespace dermgan::test {

QString writeTinyModel(const QString& dir, bool withDirections, int seed)
{
    nets::NetworkConfig config;
    config.resolution = 16;
    config.classCount = 3;
    config.classNames = {"akiec", "bcc", "mel"};
    config.zDim = 32;
    config.wDim = 32;
    config.channelBase = 256;
    config.channelMax = 32;
    torch::manual_seed(seed);
    GeneratorModel model;
    model.training.network = config;
    model.generator = nets::Generator(config);
    model.generator->eval();
    model.hash = moduleHash(*model.generator);
    const QString path = dir + "/tiny.dermgan";
    exportGenerator(model, path.toStdString());
    if (withDirections) {
        auto loaded = loadGeneratorModel(path.toStdString(), torch::kCPU);
        explain::DirectionSet set;
        set.modelHash = loaded.hash;
        set.wDim = 32;
        set.numWs = config.numWs();
        set.directions = explain::pcaDirections(loaded, 2, 200, 0);
        explain::saveDirections(set, (dir + "/tiny.directions.json").toStdString());
    }
    return path;
}

} // namespace dermgan::test
