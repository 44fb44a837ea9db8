// Model files, through every reader the CLI and the explorer use. The first byte picks the reader, the rest
// is the file: 0 a .dermgan generator (snapshot or export), 1 a StyleGAN2-ADA .npz import, 2 a training
// snapshot as a resume reads it (config, progress, federation, G/G_ema/D, optimisers and random streams),
// 3 a .dermnet classifier.
#include <c10/core/Device.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "fuzz_support.h"
#include "io/file_errors.h"
#include "model/classifier_file.h"
#include "model/snapshot.h"
#include "model/training_snapshot.h"
#include "nets/discriminator.h"
#include "nets/generator.h"

namespace {

void readTrainingState(const std::filesystem::path& path)
{
    dermgan::TrainingSnapshotReader snapshot(path);
    auto config = snapshot.config();
    config.network.validate();  // a run's own config is validated before it reads a snapshot
    dermgan::nets::Generator generator(config.network), generatorEma(config.network);
    dermgan::nets::Discriminator discriminator(config.network);
    snapshot.loadNetworks(*generatorEma, *generator, *discriminator);
    snapshot.progress();
    snapshot.federation();
    torch::optim::Adam optimiserG(generator->parameters()), optimiserD(discriminator->parameters());
    snapshot.loadOptimisersAndRng(optimiserG, optimiserD);
}

// Trainer::resume's reads, inside the same one-line error wrapper.
void resumeAsTheTrainerDoes(const std::filesystem::path& path)
{
    dermgan::readingFile(path, "a training snapshot", [&] { readTrainingState(path); });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    static const char* const names[] = {"model.dermgan", "model.npz", "snapshot.dermgan", "model.dermnet"};
    const int reader = data[0] % 4;
    const auto path = dermgan::fuzz::writeScratch(names[reader], data + 1, size - 1);
    if (reader <= 1) {
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::loadGeneratorModel(path, c10::Device(c10::kCPU)))
    } else if (reader == 2) {
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(resumeAsTheTrainerDoes(path))
    } else {
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::metrics::loadClassifier(path, c10::Device(c10::kCPU)))
    }
    return 0;
}
