// `dermgan study`: the comparative study (conditional vs unconditional x centralized vs institutions) as
// one resumable command. Each stage is an ordinary dermgan command run as a child process; a stage that
// finished is never run again, a training run that was interrupted continues from its last snapshot, and
// the report is rewritten after every stage, so a study can be stopped and continued across sessions.
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "common/errors.h"
#include "common/exit_codes.h"
#include "invocation.h"
#include "io/atomic_file.h"
#include "model_commands.h"
#include "study_plan.h"
#include "study_report.h"
#include "terminal_progress.h"

namespace dermgan::cli {

namespace fs = std::filesystem;

namespace {

// A stage's command failed: the study stops with its exit code (after saying which stage and where its log is).
struct StageFailed {
    int exitCode;
};

nlohmann::json readJsonOr(const fs::path& file, nlohmann::json fallback)
{
    std::ifstream in(file);
    if (!in)
        return fallback;
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded())
        throw InputError(file.string() + " is not valid JSON; expected the study's own record (delete it to start over)");
    return json;
}

// The options a study folder was made with must not change under it: its stages would mix two scales.
void claimFolder(const StudyOptions& options)
{
    const fs::path file = options.out / "study.json";
    const auto recorded = readJsonOr(file, nullptr);
    const auto wanted = options.toJson();
    if (!recorded.is_null() && recorded.at("options") != wanted)
        throw InputError(options.out.string() + " holds a study made with other options (" + recorded.at("options").dump() +
                         "); use the same options to continue it, or another --out");
    writeTextFileAtomically(file, nlohmann::json{{"options", wanted}, {"command", invocation()}}.dump(2) + "\n");
}

void runStudy(StudyOptions options)
{
    options.threads = options.threads > 0 ? options.threads : at::get_num_threads();
    options.validate();
    if (!fs::exists(options.data))
        throw InputError("dataset " + options.data + " does not exist; expected a dataset folder");
    fs::create_directories(options.out);
    claimFolder(options);
    const StudyLayout layout{options.out};
    const fs::path stagesFile = options.out / "stages.json";
    auto record = readJsonOr(stagesFile, nlohmann::json::object());
    const auto stages = planStudy(options);
    writeStudyReport(options, stages, record);

    int index = 0;
    for (const auto& stage : stages) {
        ++index;
        auto& entry = record[stage.name];
        if (!entry.is_object())
            entry = nlohmann::json::object();
        if (entry.value("done", false)) {
            std::cout << "[" << index << "/" << stages.size() << "] " << stage.name << ": done earlier\n";
            continue;
        }
        auto arguments = stage.arguments;
        const bool resuming = stage.resumable && fs::exists(layout.model(stage.name.substr(stage.name.find(':') + 1)));
        if (resuming)
            arguments.insert(arguments.end(), {"--resume", "latest"});
        std::cout << "[" << index << "/" << stages.size() << "] " << stage.name << (resuming ? " (continuing)" : "")
                  << ": " << shellLine(arguments) << "\n    log: " << layout.log(stage.name).string() << std::endl;
        const auto started = std::chrono::steady_clock::now();
        const int code = runLoggedChild(arguments, layout.log(stage.name));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        entry["command"] = shellLine(stage.arguments);
        entry["seconds"] = entry.value("seconds", 0.0) + seconds;
        entry["attempts"] = entry.value("attempts", 0) + 1;
        entry["done"] = code == kOk;
        writeTextFileAtomically(stagesFile, record.dump(2) + "\n");
        writeStudyReport(options, stages, record);
        if (code == kCancelled || interrupted())
            throw CancelledError();
        if (code != kOk) {
            std::cerr << "dermgan: study: stage " << stage.name << " failed with exit code " << code << "; see "
                      << layout.log(stage.name).string() << ". Run the same command again to continue from there.\n";
            throw StageFailed{code};
        }
        std::cout << "    done in " << static_cast<long long>(seconds) << " s" << std::endl;
    }
    std::cout << "The report: " << (layout.reportDir() / "report.md").string() << "\n";
}

} // namespace

void addStudyCommand(CLI::App& parent, int& exitCode)
{
    auto options = std::make_shared<StudyOptions>();
    auto* cmd = parent.add_subcommand(
        "study", "The comparative study: conditional vs unconditional x centralized vs institutions, trained, evaluated and reported");
    cmd->add_option("data", options->data, "Labelled dataset with institutions (HAM10000)")->required();
    cmd->add_option("--out,-o", options->out, "Study folder; the report goes to OUT/report/")->capture_default_str();
    cmd->add_option("--settings", options->settings, "Comma list of cond-central, cond-federated, uncond-central, uncond-federated")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--kimg", options->kimg, "Training length of each model in thousands of real images (a federation's sites together)")
        ->capture_default_str();
    cmd->add_option("--rounds", options->rounds, "Federated rounds")->capture_default_str();
    cmd->add_option("--classifier-epochs", options->classifierEpochs, "Epochs of every classifier (real, synthetic, mixed)")
        ->capture_default_str();
    cmd->add_option("--project-count", options->projectCount, "Real images projected per subset (train and test)")
        ->capture_default_str();
    cmd->add_option("--project-steps", options->projectSteps, "Projection steps")->capture_default_str();
    cmd->add_option("--embed-count", options->embedCount, "Real images in each embedding plot, and as many synthetic ones")
        ->capture_default_str();
    cmd->add_option("--embed-method", options->embedMethod, "umap, tsne or pca")->capture_default_str();
    cmd->add_option("--audit-count", options->auditCount, "Synthetic images audited (0 = as many as training images)")
        ->capture_default_str();
    cmd->add_option("--seed", options->seed, "Training seed")->capture_default_str();
    cmd->allow_extras();
    cmd->footer("Every other argument (--resolution, --batch, --preset, ...) is passed to each training run.\n"
                "Run the same command again to continue an interrupted study: finished stages are kept, a training run\n"
                "continues from its last snapshot. Only OUT/report/ is free of real images (projections and audit\n"
                "pairs elsewhere show them).");
    cmd->callback([options, cmd, &exitCode] {
        options->trainOptions = cmd->remaining();
        try {
            runStudy(*options);
            exitCode = kOk;
        } catch (const StageFailed& failed) {
            exitCode = failed.exitCode;
        }
    });
}

} // namespace dermgan::cli
