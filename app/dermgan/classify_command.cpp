#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/acquisition_shifts.h"
#include "data/dataset_layouts.h"
#include "data/image_store.h"
#include "data/subset_loader.h"
#include "evaluation_commands.h"
#include "common/exit_codes.h"
#include "invocation.h"
#include "io/image_io.h"
#include "metrics/binary_aucs.h"
#include "metrics/classification_report.h"
#include "model/classifier_file.h"
#include "metrics/classifier_training.h"
#include "metrics/generalisation_report.h"
#include "metrics/synthetic_set.h"
#include "report_files.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace {

struct ClassifyArgs {
    std::string data, train = "real", generator, balance = "real", save, out = "reports", device = "auto", evaluate,
                subset = "all", colourConstancy = "none", stressExamples;
    int64_t syntheticCount = 0;
    double psi = 1.0;
    int epochs = 30, batch = 64, resolution = 64;
    double lr = 2e-3;
    std::uint64_t seed = 0, splitSeed = 0;
    bool noClassWeights = false, acquisitionShifts = false, stress = false, json = false;
};

LabelledPixels concat(const LabelledPixels& a, const LabelledPixels& b)
{
    LabelledPixels out;
    out.pixels = torch::cat({a.pixels, b.pixels});
    out.labels = a.labels;
    out.labels.insert(out.labels.end(), b.labels.begin(), b.labels.end());
    return out;
}

// Stress tests and subgroups (HAM10000's dx_type and body site where the metadata has them, framing from the
// pixels) of `images` scored by `model`; `labels` are in the model's classes.
metrics::GeneralisationReport measureGeneralisation(nets::LesionClassifier& model, const SubsetImages& images,
                                                    const std::vector<int>& labels, const torch::Tensor& probabilities,
                                                    std::uint64_t seed)
{
    const auto& classNames = model->config.classNames;
    metrics::GeneralisationReport report;
    report.unshifted = metrics::scoreCondition("unshifted", "the images as they are", probabilities, labels, classNames, seed);
    std::cerr << "stress tests: " << stressTests().size() << " shifted copies of " << images.size() << " images\n";
    report.stress = metrics::scoreStressTests(model, images.pixels, labels, seed);
    for (const std::string attribute : {"dx_type", "localization"}) {
        std::vector<std::string> values;
        for (std::size_t row : images.rows) {
            const auto& metadata = images.index.records[row].metadata;
            const auto it = metadata.find(attribute);
            values.push_back(it == metadata.end() || it->second == "unknown" ? "" : it->second);
        }
        if (std::any_of(values.begin(), values.end(), [](const std::string& v) { return !v.empty(); }))
            report.subgroups.push_back(metrics::scoreSubgroups(attribute, values, probabilities, labels, classNames, seed));
    }
    for (const auto& [attribute, values] : metrics::framingAttributes(images.pixels))
        report.subgroups.push_back(metrics::scoreSubgroups(attribute, values, probabilities, labels, classNames, seed));
    return report;
}

// The first 8 images as the stress tests saw them: the unshifted row, then one row per stress test. They are
// the dataset's own images: written only where the user asks.
void writeStressExamples(const std::string& file, const torch::Tensor& pixels, std::uint64_t seed)
{
    const int64_t n = std::min<int64_t>(8, pixels.size(0));
    const auto first = pixels.narrow(0, 0, n);
    std::vector<torch::Tensor> rows{first};
    std::string order = "unshifted";
    for (const auto& test : stressTests()) {
        rows.push_back(applyStressTest(test, first, seed));
        order += ", " + test.name;
    }
    writePng(file, tensorGrid(toModelRange(torch::cat(rows)), static_cast<int>(n)),
             {{"Software", "dermgan"}, {"Description", "real images under each stress test; rows: " + order}});
    std::cerr << "stress examples: " << file << " (rows: " << order << ")\n";
}

// Scores a saved classifier on a labelled dataset: its classes are matched to the classifier's by name, so a
// set from elsewhere may hold only some diagnoses (an external nevus/melanoma set, say).
void runEvaluate(const ClassifyArgs& args)
{
    const auto device = selectDevice(args.device);
    auto model = metrics::loadClassifier(args.evaluate, device);
    const auto& classNames = model.network->config.classNames;
    TerminalProgress bar(true);
    SubsetRequest request;
    request.dataset = args.data;
    request.subset = args.subset;
    request.splitSeed = args.splitSeed;
    request.resolution = model.network->config.resolution;
    request.progress = bar.callback();
    const SubsetImages images = loadSubset(request);
    bar.finish();
    if (!images.index.labelled())
        throw InputError("dataset " + args.data + " has no classes; scoring a classifier needs labelled images");
    std::vector<int> toModel;
    for (const auto& name : images.index.classNames) {
        const auto it = std::find(classNames.begin(), classNames.end(), name);
        if (it == classNames.end()) {
            std::string known;
            for (const auto& k : classNames)
                known += (known.empty() ? "" : ", ") + k;
            throw InputError("dataset " + args.data + " has class '" + name + "' that classifier " + args.evaluate +
                             " does not know; expected classes among " + known);
        }
        toModel.push_back(static_cast<int>(it - classNames.begin()));
    }
    std::vector<int> labels;
    for (int label : images.labels)
        labels.push_back(toModel[static_cast<std::size_t>(label)]);
    const auto probabilities = metrics::predictProbabilities(model.network, images.pixels);
    const auto report = metrics::evaluatePredictions(probabilities, labels, classNames);
    const auto aucs = metrics::melanomaAucs(probabilities, labels, classNames, 1000, args.seed);
    nlohmann::json json = {{"classifier", model.path.string()},
                           {"classifier_hash", model.hash},
                           {"dataset", args.data},
                           {"subset", args.subset},
                           {"split_seed", args.splitSeed},
                           {"resolution", request.resolution},
                           {"images", images.size()},
                           {"test", metrics::toJson(report)},
                           {"binary_aucs", metrics::toJson(aucs)},
                           {"command", invocation()}};
    std::string text = "Classifier " + model.path.filename().string() + " (" + model.hash + ") on " +
                       std::to_string(images.size()) + " '" + args.subset + "' images of " + args.data + ":\n" +
                       metrics::toText(report) + metrics::toText(aucs);
    if (!args.stressExamples.empty())
        writeStressExamples(args.stressExamples, images.pixels, args.seed);
    if (args.stress) {
        const auto generalisation = measureGeneralisation(model.network, images, labels, probabilities, args.seed);
        json["generalisation"] = metrics::toJson(generalisation);
        text += metrics::toText(generalisation);
    }
    publishReport(args.out, "classify-evaluate", json, text, args.json);
}

void runClassify(const ClassifyArgs& args)
{
    if (!args.evaluate.empty())
        return runEvaluate(args);
    if (args.train != "real" && args.train != "synthetic" && args.train != "mixed")
        throw InputError("--train '" + args.train + "' is not known; expected real, synthetic or mixed");
    if (args.train != "real" && args.generator.empty())
        throw InputError("--train " + args.train + " needs --generator MODEL.dermgan (a conditional generator)");
    const auto device = selectDevice(args.device);
    TerminalProgress bar(true);

    SubsetRequest request;
    request.dataset = args.data;
    request.splitSeed = args.splitSeed;
    request.resolution = args.resolution;
    request.progress = bar.callback();
    request.subset = "train";
    const SubsetImages realTrain = loadSubset(request);
    if (!realTrain.index.labelled())
        throw InputError("dataset " + args.data + " has no classes; a classifier needs labels");
    request.subset = "val";
    const SubsetImages val = loadSubset(request);
    request.subset = "test";
    const SubsetImages test = loadSubset(request);
    const auto& classNames = realTrain.index.classNames;

    LabelledPixels train{realTrain.pixels, realTrain.labels};
    nlohmann::json synthetic;
    if (args.train != "real") {
        GeneratorModel model = loadGeneratorModel(args.generator, device);
        if (model.network().classCount == 0)
            throw InputError("generator " + args.generator + " is unconditional; training a classifier on synthetic images needs a class-conditional one");
        if (model.network().classNames != classNames)
            throw InputError("generator " + args.generator + " has other classes than dataset " + args.data);
        if (model.network().resolution != args.resolution)
            throw InputError("generator " + args.generator + " makes " + std::to_string(model.network().resolution) +
                             "x" + std::to_string(model.network().resolution) + " images; pass --resolution " +
                             std::to_string(model.network().resolution));
        metrics::SyntheticRequest sreq;
        sreq.perClass = metrics::syntheticCountsLike(
            model.network(), realTrain.labels,
            args.syntheticCount > 0 ? args.syntheticCount : static_cast<int64_t>(realTrain.size()), args.balance);
        sreq.psi = args.psi;
        // Seeds far from those of `dermgan generate` demos and of the metrics command's sets.
        sreq.firstSeed = 1000000 + args.seed * 100000;
        const auto images = metrics::generateSynthetic(model, sreq, bar.callback());
        train = args.train == "synthetic" ? images : concat(train, images);
        synthetic = {{"generator", model.path.string()}, {"generator_hash", model.hash}, {"per_class", sreq.perClass},
                     {"balance", args.balance}, {"psi", args.psi}, {"first_seed", sreq.firstSeed}};
    }

    nets::ClassifierConfig config;
    config.resolution = args.resolution;
    config.classNames = classNames;
    config.colourConstancy = args.colourConstancy;
    config.validate();
    metrics::ClassifierTrainingOptions options;
    options.epochs = args.epochs;
    options.batch = args.batch;
    options.learningRate = args.lr;
    options.classWeighted = !args.noClassWeights;
    options.acquisitionShifts = args.acquisitionShifts;
    options.seed = args.seed;
    options.device = device;
    std::cerr << "training the classifier on " << train.labels.size() << " " << args.train << " images ("
              << runtimeDescription(device) << "), selecting on " << val.size() << " real validation images\n";
    auto trained = metrics::trainClassifier(
        config, train, {val.pixels, val.labels}, options,
        [&](const metrics::EpochStats& s) {
            bar.finish();
            char line[160];
            std::snprintf(line, sizeof line, "epoch %3d  loss %.4f  val accuracy %.3f  balanced %.3f  %.0f s\n", s.epoch,
                          s.trainLoss, s.valAccuracy, s.valBalancedAccuracy, s.seconds);
            std::cerr << line;
            return !interrupted();
        },
        bar.callback());
    bar.finish();

    const auto testProbabilities = metrics::predictProbabilities(trained.model, test.pixels);
    const auto report = metrics::evaluatePredictions(testProbabilities, test.labels, classNames);
    nlohmann::json history = nlohmann::json::array();
    for (const auto& s : trained.history)
        history.push_back({{"epoch", s.epoch}, {"train_loss", s.trainLoss}, {"val_accuracy", s.valAccuracy},
                           {"val_balanced_accuracy", s.valBalancedAccuracy}, {"seconds", s.seconds}});
    nlohmann::json json = {{"train_data", args.train},
                           {"dataset", args.data},
                           {"split_seed", args.splitSeed},
                           {"resolution", args.resolution},
                           {"train_images", train.labels.size()},
                           {"val_images", val.size()},
                           {"test_images", test.size()},
                           {"epochs", args.epochs},
                           {"best_epoch", trained.bestEpoch},
                           {"seed", args.seed},
                           {"class_weighted", !args.noClassWeights},
                           {"colour_constancy", args.colourConstancy},
                           {"acquisition_shifts", args.acquisitionShifts},
                           {"train_seconds", trained.seconds},
                           {"hardware", runtimeDescription(device)},
                           {"test", metrics::toJson(report)},
                           {"history", history},
                           {"command", invocation()}};
    if (!synthetic.is_null())
        json["synthetic"] = synthetic;
    std::string text = "Classifier trained on " + args.train + " data (" + std::to_string(train.labels.size()) +
                       " images), best validation epoch " + std::to_string(trained.bestEpoch) + " of " +
                       std::to_string(args.epochs) + "; tested on the real lesion-grouped test split:\n" +
                       metrics::toText(report);
    if (!args.stressExamples.empty())
        writeStressExamples(args.stressExamples, test.pixels, args.seed);
    if (args.stress) {
        const auto generalisation = measureGeneralisation(trained.model, test, test.labels, testProbabilities, args.seed);
        json["generalisation"] = metrics::toJson(generalisation);
        text += metrics::toText(generalisation);
    }
    if (!args.save.empty()) {
        metrics::saveClassifier(trained.model, json, args.save);
        text += "saved " + args.save + "\n";
    }
    publishReport(args.out, "classify-" + args.train, json, text, args.json);
}

} // namespace

void addClassifyCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<ClassifyArgs>();
    auto* cmd = parent.add_subcommand(
        "classify", "Train the lesion classifier on real, synthetic or mixed images and test it on the real test split; "
        "or score a saved one (--evaluate)");
    cmd->add_option("data", args->data, "Labelled dataset: " + datasetLayoutList())->required();
    cmd->add_option("--train", args->train, "Training data: real, synthetic or mixed (real + synthetic)")->capture_default_str();
    cmd->add_option("--generator", args->generator, "Conditional generator snapshot for synthetic/mixed");
    cmd->add_option("--synthetic-count", args->syntheticCount, "Synthetic images (default: as many as real training images)");
    cmd->add_option("--balance", args->balance, "Synthetic class counts: real (the real frequencies) or balanced")->capture_default_str();
    cmd->add_option("--psi", args->psi, "Truncation psi of the synthetic images")->capture_default_str();
    cmd->add_option("--epochs", args->epochs, "Epochs")->capture_default_str();
    cmd->add_option("--batch", args->batch, "Batch size")->capture_default_str();
    cmd->add_option("--lr", args->lr, "AdamW learning rate (cosine decay)")->capture_default_str();
    cmd->add_option("--resolution", args->resolution, "Image resolution")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed (weights, order, augmentation, synthetic seeds)")->capture_default_str();
    cmd->add_option("--split-seed", args->splitSeed, "Seed of the lesion-grouped split")->capture_default_str();
    cmd->add_flag("--no-class-weights", args->noClassWeights, "Plain cross-entropy instead of class-weighted");
    cmd->add_option("--colour-constancy", args->colourConstancy, "none, or shades-of-grey: divide out each image's "
                                                                 "illuminant inside the network")->capture_default_str();
    cmd->add_flag("--acquisition-shifts", args->acquisitionShifts, "Augment with random acquisition shifts too (zoom-out "
                                                                   "with vignette, hairs, colour temperature, exposure, "
                                                                   "lower resolution, JPEG)");
    cmd->add_option("--evaluate", args->evaluate, "Train nothing: score this saved classifier (.dermnet) on the dataset "
                                                  "(accuracy, balanced accuracy, per-class recall, confusion matrix, "
                                                  "melanoma ROC-AUCs with bootstrap intervals)");
    cmd->add_option("--subset", args->subset, "With --evaluate: the images to score, all, train, val or test "
                                              "(lesion-grouped split)")->capture_default_str();
    cmd->add_flag("--stress", args->stress, "Also score the test images under stress tests (other light, exposure, zoom-out "
                                            "with vignette, lower resolution, JPEG, hairs) and per subgroup (dx_type, "
                                            "body site, framing, lesion size)");
    cmd->add_option("--stress-examples", args->stressExamples, "Also write the first 8 scored images under each stress "
                                                               "test as one PNG grid (they are the dataset's images)");
    cmd->add_option("--save", args->save, "Write the trained classifier (.dermnet), e.g. as a feature network");
    cmd->add_option("--out,-o", args->out, "Report folder (classify-<train>.json/.txt)")->capture_default_str();
    cmd->add_option("--device", args->device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->callback([args, &exitCode] {
        runClassify(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
