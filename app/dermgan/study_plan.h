#pragma once
// `dermgan study`: the comparative study as a list of stages, each an ordinary dermgan command. Where
// every stage writes its results (the layout the report reads), and what a study was asked to do.
//
//   OUT/study.json                 the options (a rerun with other options is refused)
//   OUT/stages.json                each stage's command, seconds, attempts and whether it finished
//   OUT/logs/<stage>.log           each stage's output
//   OUT/train/<setting>/           training runs (latest.dermgan is the model evaluated)
//   OUT/eval/<setting>/            metrics, audit, samples/, embedding/, projections/
//   OUT/classify/<real|setting>/   classifier reports
//   OUT/report/                    report.md, report.json and figures: nothing in it shows a real image
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dermgan::cli {

struct StudySetting {
    std::string name;  // cond-central, cond-federated, uncond-central, uncond-federated
    bool conditional = true;
    bool federated = false;
};
// InputError for a name that is not one of the four.
StudySetting parseStudySetting(const std::string& name);

struct StudyOptions {
    std::string data;
    std::filesystem::path out = "study";
    std::vector<std::string> settings{"cond-central", "cond-federated", "uncond-central", "uncond-federated"};
    double kimg = 10;            // per model: a federated model's sites see this many images together
    int rounds = 5;
    int sites = 3;               // the split's institutions
    int classifierEpochs = 5;
    int projectCount = 8;        // per subset (train, test)
    int projectSteps = 150;
    int embedCount = 1000;       // real images, and as many synthetic ones
    std::string embedMethod = "umap";
    std::int64_t auditCount = 0; // 0 = as many as training images
    std::uint64_t seed = 0;
    int threads = 0;             // passed to every stage (0 = one per core)
    std::vector<std::string> trainOptions;  // passed to every `dermgan train`

    // InputError naming the first bad option.
    void validate() const;
    nlohmann::json toJson() const;
};

struct StudyLayout {
    std::filesystem::path root;
    std::filesystem::path trainDir(const std::string& setting) const { return root / "train" / setting; }
    std::filesystem::path model(const std::string& setting) const { return trainDir(setting) / "latest.dermgan"; }
    std::filesystem::path evalDir(const std::string& setting) const { return root / "eval" / setting; }
    std::filesystem::path classifyDir(const std::string& name) const { return root / "classify" / name; }
    std::filesystem::path reportDir() const { return root / "report"; }
    std::filesystem::path log(const std::string& stage) const;
};

struct StudyStage {
    std::string name;                      // e.g. train:cond-central, metrics:cond-federated
    std::vector<std::string> arguments;    // argv, argv[0] = "dermgan"
    bool resumable = false;                // a training run: a rerun continues with --resume latest
};

// The stages in the order they run: the trainings first, then the real-data classifier, then each
// setting's evaluation.
std::vector<StudyStage> planStudy(const StudyOptions& options);

} // namespace dermgan::cli
