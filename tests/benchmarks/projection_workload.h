#pragma once
// The projection benchmarks' workload: untrained networks of the shipped architectures (the default CPU
// generator at 64x64 with HAM10000's 7 classes, and the derm perceptual distance); a projection's cost does
// not depend on the weights.
#include <filesystem>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "explain/perceptual_distance.h"
#include "model/classifier_file.h"
#include "model/snapshot.h"

namespace dermgan::bench {

struct ProjectionWorkload {
    GeneratorModel model;
    std::unique_ptr<explain::PerceptualDistance> distance;
};

// Seeded; `scratch` is where the untrained classifier file is written and read back (removed afterwards).
inline ProjectionWorkload makeProjectionWorkload(const std::filesystem::path& scratch)
{
    torch::manual_seed(0);
    ProjectionWorkload w;
    w.model.training.network = nets::NetworkConfig::cpuDefault(64);
    w.model.training.network.classCount = 7;
    w.model.training.network.classNames = {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"};
    w.model.generator = nets::Generator(w.model.training.network);
    w.model.generator->eval();
    nets::ClassifierConfig classifierConfig;
    classifierConfig.classNames = w.model.training.network.classNames;
    nets::LesionClassifier classifier(classifierConfig);
    classifier->eval();
    metrics::saveClassifier(classifier, {}, scratch);
    w.distance = explain::openPerceptualDistance(scratch.string(), torch::kCPU);
    std::filesystem::remove(scratch);
    return w;
}

} // namespace dermgan::bench
