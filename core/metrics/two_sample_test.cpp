#include "metrics/two_sample_test.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/random.h"
#include "metrics/classification_report.h"
#include "metrics/classifier_training.h"

namespace dermgan::metrics {

namespace {

constexpr int64_t kMinimumPerSet = 20;

// `count` rows of `pixels` in a seeded random order.
torch::Tensor seededDraw(const torch::Tensor& pixels, int64_t count, Rng& rng)
{
    std::vector<int64_t> rows(static_cast<std::size_t>(pixels.size(0)));
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = static_cast<int64_t>(i);
    shuffleInPlace(rows, rng);
    rows.resize(static_cast<std::size_t>(count));
    return pixels.index_select(0, torch::tensor(rows));
}

// Rows [start, start + count) of both sets, labelled 0 (real) and 1 (synthetic).
LabelledPixels part(const torch::Tensor& real, const torch::Tensor& synthetic, int64_t start, int64_t count)
{
    LabelledPixels images;
    images.pixels = torch::cat({real.narrow(0, start, count), synthetic.narrow(0, start, count)});
    images.labels.assign(static_cast<std::size_t>(count), 0);
    images.labels.resize(static_cast<std::size_t>(2 * count), 1);
    return images;
}

double thresholdAccuracy(const std::vector<double>& scores, const std::vector<bool>& synthetic)
{
    std::size_t right = 0;
    for (std::size_t i = 0; i < scores.size(); ++i)
        right += (scores[i] > 0.5) == synthetic[i] ? 1 : 0;
    return static_cast<double>(right) / static_cast<double>(scores.size());
}

} // namespace

TwoSampleTest classifierTwoSampleTest(const torch::Tensor& real, const torch::Tensor& synthetic,
                                      const TwoSampleTestOptions& options, const ProgressCallback& progress)
{
    if (!real.defined() || !synthetic.defined() || real.dim() != 4 || real.sizes().slice(1) != synthetic.sizes().slice(1) ||
        real.size(1) != 3 || real.size(2) != real.size(3))
        throw InputError("two-sample test: expected real and synthetic images of one size, [N, 3, R, R]");
    const int64_t n = std::min(real.size(0), synthetic.size(0));
    if (n < kMinimumPerSet)
        throw InputError("two-sample test: expected at least " + std::to_string(kMinimumPerSet) + " images of each set; got " +
                         std::to_string(real.size(0)) + " real and " + std::to_string(synthetic.size(0)) + " synthetic");
    const auto start = std::chrono::steady_clock::now();
    Rng rng(deriveSeed(options.seed, 21));
    const auto realDrawn = seededDraw(real, n, rng);
    const auto syntheticDrawn = seededDraw(synthetic, n, rng);

    TwoSampleTest result;
    result.testPerSet = n / 2;
    result.valPerSet = std::max<int64_t>(1, (n - result.testPerSet) / 5);
    result.trainPerSet = n - result.testPerSet - result.valPerSet;
    const auto train = part(realDrawn, syntheticDrawn, 0, result.trainPerSet);
    const auto val = part(realDrawn, syntheticDrawn, result.trainPerSet, result.valPerSet);
    const auto test = part(realDrawn, syntheticDrawn, result.trainPerSet + result.valPerSet, result.testPerSet);

    nets::ClassifierConfig config;
    config.resolution = std::min<int>(static_cast<int>(real.size(2)), options.maxResolution);
    config.classNames = {"real", "synthetic"};
    config.widths = options.widths;
    result.resolution = config.resolution;
    ClassifierTrainingOptions training;
    training.epochs = options.epochs;
    training.batch = options.batch;
    training.learningRate = options.learningRate;
    training.classWeighted = false;  // the parts are balanced by construction
    training.seed = options.seed;
    training.device = options.device;
    auto trained = trainClassifier(config, train, val, training, {}, progress);
    result.bestEpoch = trained.bestEpoch;

    const auto probabilities = predictProbabilities(trained.model, test.pixels).select(1, 1).contiguous();
    const std::vector<double> scores(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());
    std::vector<bool> isSynthetic(test.labels.size());
    for (std::size_t i = 0; i < test.labels.size(); ++i)
        isSynthetic[i] = test.labels[i] == 1;
    result.accuracy = thresholdAccuracy(scores, isSynthetic);
    result.auc = rocAuc(scores, isSynthetic);
    result.accuracyInterval = stratifiedBootstrap(scores, isSynthetic, thresholdAccuracy, options.resamples, options.seed);
    result.aucInterval = stratifiedBootstrap(scores, isSynthetic, rocAuc, options.resamples, options.seed);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

nlohmann::json toJson(const TwoSampleTest& t)
{
    return {{"c2st_accuracy", t.accuracy},
            {"c2st_accuracy_ci", {t.accuracyInterval.low, t.accuracyInterval.high}},
            {"c2st_auc", t.auc},
            {"c2st_auc_ci", {t.aucInterval.low, t.aucInterval.high}},
            {"c2st_train_per_set", t.trainPerSet},
            {"c2st_val_per_set", t.valPerSet},
            {"c2st_test_per_set", t.testPerSet},
            {"c2st_resolution", t.resolution},
            {"c2st_best_epoch", t.bestEpoch},
            {"c2st_seconds", t.seconds}};
}

std::string toText(const TwoSampleTest& t)
{
    char buffer[200];
    std::snprintf(buffer, sizeof buffer,
                  "C2ST accuracy %.3f [%.3f, %.3f]  AUC %.3f [%.3f, %.3f] (%lld + %lld held out; 0.5 = indistinguishable)",
                  t.accuracy, t.accuracyInterval.low, t.accuracyInterval.high, t.auc, t.aucInterval.low, t.aucInterval.high,
                  static_cast<long long>(t.testPerSet), static_cast<long long>(t.testPerSet));
    return buffer;
}

} // namespace dermgan::metrics
