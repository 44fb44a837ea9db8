#include "tiny_model.h"

#include <torch/torch.h>

#include "explain/latent_directions.h"
#include "io/tagged_archive.h"
#include "model/snapshot.h"
#include "nets/generator.h"

namespace dermgan::test {

QString writeRandomGenerator(const QString& file, int resolution, int channelBase, int channelMax, int seed, int latentDim)
{
    nets::NetworkConfig config;
    config.resolution = resolution;
    config.classCount = 3;
    config.classNames = {"akiec", "bcc", "mel"};
    config.zDim = latentDim;
    config.wDim = latentDim;
    config.channelBase = channelBase;
    config.channelMax = channelMax;
    torch::manual_seed(seed);
    GeneratorModel model;
    model.training.network = config;
    model.generator = nets::Generator(config);
    model.generator->eval();
    model.hash = moduleHash(*model.generator);
    exportGenerator(model, file.toStdString());
    return file;
}

QString writeTinyModel(const QString& dir, bool withDirections, int seed)
{
    const QString path = writeRandomGenerator(dir + "/tiny.dermgan", 16, 256, 32, seed);
    if (withDirections) {
        auto loaded = loadGeneratorModel(path.toStdString(), torch::kCPU);
        explain::DirectionSet set;
        set.modelHash = loaded.hash;
        set.wDim = 32;
        set.numWs = loaded.network().numWs();
        set.directions = explain::pcaDirections(loaded, 2, 200, 0);
        explain::saveDirections(set, (dir + "/tiny.directions.json").toStdString());
    }
    return path;
}

} // namespace dermgan::test
