#include "metrics/classifier_training.h"

#include <chrono>
#include <cmath>
#include <numeric>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/acquisition_shifts.h"
#include "data/image_store.h"
#include "metrics/classification_report.h"

namespace dermgan::metrics {

namespace F = torch::nn::functional;

namespace {

void requireLabelled(const LabelledPixels& set, int classes, const char* what)
{
    if (!set.pixels.defined() || set.pixels.size(0) == 0)
        throw InputError(std::string("the ") + what + " set is empty; the classifier needs images");
    if (set.pixels.size(0) != static_cast<int64_t>(set.labels.size()))
        throw InputError(std::string("the ") + what + " set has " + std::to_string(set.pixels.size(0)) + " images but " +
                         std::to_string(set.labels.size()) + " labels");
    for (int label : set.labels)
        if (label < 0 || label >= classes)
            throw InputError(std::string("the ") + what + " set has label " + std::to_string(label) + "; expected 0 to " +
                             std::to_string(classes - 1));
}

std::vector<torch::Tensor> stateTensors(torch::nn::Module& module)
{
    std::vector<torch::Tensor> state;
    for (auto& p : module.parameters())
        state.push_back(p.detach().clone());
    for (auto& b : module.buffers())
        state.push_back(b.detach().clone());
    return state;
}

void restoreState(torch::nn::Module& module, const std::vector<torch::Tensor>& state)
{
    torch::NoGradGuard noGrad;
    std::size_t i = 0;
    for (auto& p : module.parameters())
        p.copy_(state[i++]);
    for (auto& b : module.buffers())
        b.copy_(state[i++]);
}

} // namespace

torch::Tensor augmentLesions(const torch::Tensor& images, Rng& rng, bool acquisitionShifts)
{
    const int64_t n = images.size(0), r = images.size(2);
    const int64_t shift = std::max<int64_t>(1, r / 16);
    const auto padded = F::pad(images, F::PadFuncOptions({shift, shift, shift, shift}).mode(torch::kReflect));
    std::vector<torch::Tensor> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        // Dermoscopy has no canonical orientation: any flip and quarter turn is a valid lesion image.
        const int64_t dy = static_cast<int64_t>(uniformBelow(rng, 2 * shift + 1));
        const int64_t dx = static_cast<int64_t>(uniformBelow(rng, 2 * shift + 1));
        auto x = padded[i].narrow(1, dy, r).narrow(2, dx, r);
        if (acquisitionShifts)
            x = randomAcquisition(x, rng);
        if (uniformBelow(rng, 2))
            x = x.flip({2});
        x = torch::rot90(x, static_cast<int64_t>(uniformBelow(rng, 4)), {1, 2});
        // Mild colour jitter: devices and lighting differ between clinics.
        const double brightness = 0.2 * (uniform01(rng) - 0.5);
        const double contrast = 1.0 + 0.2 * (uniform01(rng) - 0.5);
        const double saturation = 1.0 + 0.2 * (uniform01(rng) - 0.5);
        const auto grey = x.mean(0, true);
        x = grey + (x - grey) * saturation;
        const auto mean = x.mean();
        x = (x - mean) * contrast + mean + brightness;
        out.push_back(x.clamp(-1.0, 1.0));
    }
    return torch::stack(out);
}

torch::Tensor predictProbabilities(nets::LesionClassifier& model, const torch::Tensor& pixels, int batch)
{
    torch::NoGradGuard noGrad;
    model->eval();
    const auto device = model->parameters().front().device();
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < pixels.size(0); start += batch) {
        const auto chunk = pixels.narrow(0, start, std::min<int64_t>(batch, pixels.size(0) - start));
        parts.push_back(torch::softmax(model->forward(toModelRange(chunk).to(device)), 1).cpu());
    }
    return torch::cat(parts);
}

TrainedClassifier trainClassifier(const nets::ClassifierConfig& config, const LabelledPixels& train,
                                  const LabelledPixels& val, const ClassifierTrainingOptions& options,
                                  const std::function<bool(const EpochStats&)>& onEpoch, const ProgressCallback& progress)
{
    config.validate();
    const int classes = config.classCount();
    requireLabelled(train, classes, "training");
    requireLabelled(val, classes, "validation");
    if (options.epochs < 1 || options.batch < 2)
        throw InputError("classifier training needs at least 1 epoch and a batch of at least 2");
    const auto start = std::chrono::steady_clock::now();
    torch::manual_seed(options.seed);
    Rng rng(deriveSeed(options.seed, 1));

    TrainedClassifier result;
    result.model = nets::LesionClassifier(config);
    auto& model = result.model;
    model->to(options.device);

    std::vector<double> counts(static_cast<std::size_t>(classes), 0.0);
    for (int label : train.labels)
        counts[static_cast<std::size_t>(label)] += 1;
    std::vector<float> weights(static_cast<std::size_t>(classes), 1.0f);
    if (options.classWeighted)
        for (int k = 0; k < classes; ++k)
            weights[static_cast<std::size_t>(k)] =
                counts[static_cast<std::size_t>(k)] > 0
                    ? static_cast<float>(static_cast<double>(train.labels.size()) / (classes * counts[static_cast<std::size_t>(k)]))
                    : 0.0f;
    const auto classWeights = torch::tensor(weights).to(options.device);
    const auto trainLabels = torch::tensor(std::vector<int64_t>(train.labels.begin(), train.labels.end()));

    torch::optim::AdamW optimizer(model->parameters(),
                                  torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
    const int64_t n = train.pixels.size(0);
    if (n < 2)
        throw InputError("classifier training needs at least 2 training images; the training set has " + std::to_string(n));
    // Fewer images than a batch: one batch of all of them (reading past `order` was a bug).
    const int64_t batch = std::min<int64_t>(options.batch, n);
    const int64_t stepsPerEpoch = n / batch;  // drop the ragged last batch (BatchNorm)
    const int64_t totalSteps = stepsPerEpoch * options.epochs;
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);

    double bestScore = -1;
    std::vector<torch::Tensor> bestState;
    int64_t step = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const auto epochStart = std::chrono::steady_clock::now();
        model->train();
        shuffleInPlace(order, rng);
        double lossSum = 0;
        for (int64_t b = 0; b < stepsPerEpoch; ++b, ++step) {
            // One warm-up epoch, then a cosine decay to zero.
            const double t = static_cast<double>(step) / static_cast<double>(totalSteps);
            const double warm = std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(stepsPerEpoch));
            const double lr = options.learningRate * warm * 0.5 * (1.0 + std::cos(M_PI * t));
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            const auto rows = torch::tensor(std::vector<int64_t>(order.begin() + b * batch, order.begin() + (b + 1) * batch));
            auto images = toModelRange(train.pixels.index_select(0, rows));
            if (options.augment)
                images = augmentLesions(images, rng, options.acquisitionShifts);
            const auto labels = trainLabels.index_select(0, rows).to(options.device);
            const auto logits = model->forward(images.to(options.device));
            const auto loss = F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().weight(classWeights));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            reportProgress(progress, {"training classifier, epoch " + std::to_string(epoch),
                                      static_cast<std::size_t>(step + 1), static_cast<std::size_t>(totalSteps)});
        }
        EpochStats stats;
        stats.epoch = epoch;
        stats.trainLoss = lossSum / static_cast<double>(stepsPerEpoch);
        const auto report = evaluatePredictions(predictProbabilities(model, val.pixels), val.labels, config.classNames);
        stats.valAccuracy = report.accuracy;
        stats.valBalancedAccuracy = report.balancedAccuracy;
        stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epochStart).count();
        result.history.push_back(stats);
        if (stats.valBalancedAccuracy > bestScore) {
            bestScore = stats.valBalancedAccuracy;
            bestState = stateTensors(*model);
            result.bestEpoch = epoch;
        }
        if (onEpoch && !onEpoch(stats))
            break;
    }
    restoreState(*model, bestState);
    model->eval();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace dermgan::metrics
