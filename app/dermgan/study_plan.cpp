#include "study_plan.h"

#include <algorithm>
#include <cstdio>

#include "common/errors.h"

namespace dermgan::cli {

namespace {

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

} // namespace

StudySetting parseStudySetting(const std::string& name)
{
    for (const StudySetting& s : {StudySetting{"cond-central", true, false}, StudySetting{"cond-federated", true, true},
                                  StudySetting{"uncond-central", false, false}, StudySetting{"uncond-federated", false, true}})
        if (s.name == name)
            return s;
    throw InputError("--settings: '" + name + "' is not a setting; expected cond-central, cond-federated, "
                     "uncond-central or uncond-federated");
}

void StudyOptions::validate() const
{
    if (settings.empty())
        throw InputError("--settings is empty; expected at least one of cond-central, cond-federated, uncond-central, uncond-federated");
    for (const auto& s : settings)
        parseStudySetting(s);
    if (!(kimg > 0))
        throw InputError("--kimg " + number(kimg) + " must be positive");
    if (rounds < 1)
        throw InputError("--rounds must be at least 1");
    if (classifierEpochs < 1 || projectCount < 1 || projectSteps < 1 || embedCount < 10 || auditCount < 0)
        throw InputError("--classifier-epochs, --project-count and --project-steps must be at least 1, --embed-count at least 10");
    for (const char* own : {"--out", "-o", "--kimg", "--cond", "--seed", "--resume", "--rounds", "--round-kimg",
                            "--federated", "--data-parallel"})
        for (const auto& option : trainOptions)
            if (option == own)
                throw InputError(std::string(own) + " is set by the study itself; leave it out of the training options");
}

nlohmann::json StudyOptions::toJson() const
{
    return {{"data", data},
            {"settings", settings},
            {"kimg", kimg},
            {"rounds", rounds},
            {"sites", sites},
            {"classifier_epochs", classifierEpochs},
            {"project_count", projectCount},
            {"project_steps", projectSteps},
            {"embed_count", embedCount},
            {"embed_method", embedMethod},
            {"audit_count", auditCount},
            {"seed", seed},
            {"threads", threads},
            {"train_options", trainOptions}};
}

std::filesystem::path StudyLayout::log(const std::string& stage) const
{
    std::string file = stage;
    for (char& c : file)
        if (c == ':')
            c = '-';
    return root / "logs" / (file + ".log");
}

std::vector<StudyStage> planStudy(const StudyOptions& o)
{
    const StudyLayout at{o.out};
    const auto command = [&](std::initializer_list<std::string> words) {
        std::vector<std::string> argv{"dermgan", "--threads", std::to_string(o.threads)};
        argv.insert(argv.end(), words);
        return argv;
    };
    std::vector<StudyStage> stages;
    std::vector<StudySetting> settings;
    for (const auto& name : o.settings)
        settings.push_back(parseStudySetting(name));

    for (const auto& s : settings) {
        const std::string cond = s.conditional ? "on" : "off";
        StudyStage stage{"train:" + s.name, {}, true};
        if (s.federated)
            // Equal images seen: the sites together train o.kimg, spread over the rounds.
            stage.arguments = command({"federated-sim", "--sites", std::to_string(o.sites), "--out", at.trainDir(s.name).string(),
                                       o.data, "--cond", cond, "--rounds", std::to_string(o.rounds), "--round-kimg",
                                       number(o.kimg / (o.sites * o.rounds)), "--seed", std::to_string(o.seed)});
        else {
            stage.arguments = command({"train", o.data, "--out", at.trainDir(s.name).string(), "--cond", cond, "--kimg",
                                       number(o.kimg), "--seed", std::to_string(o.seed)});
            // Snapshots five times per run, so that a killed study loses at most a fifth of a training run.
            if (std::find(o.trainOptions.begin(), o.trainOptions.end(), "--snap") == o.trainOptions.end())
                stage.arguments.insert(stage.arguments.end(), {"--snap", number(o.kimg / 5)});
        }
        stage.arguments.insert(stage.arguments.end(), o.trainOptions.begin(), o.trainOptions.end());
        stages.push_back(stage);
    }
    const std::string epochs = std::to_string(o.classifierEpochs);
    // Every classifier sees images at the GANs' resolution, real ones included, so that only the source differs.
    std::string resolution = "64";
    for (std::size_t i = 0; i + 1 < o.trainOptions.size(); ++i)
        if (o.trainOptions[i] == "--resolution" || o.trainOptions[i] == "-r")
            resolution = o.trainOptions[i + 1];
    const auto classify = [&](const std::string& train, const std::string& generator, const std::string& folder) {
        auto argv = command({"classify", o.data, "--train", train, "--epochs", epochs, "--resolution", resolution, "--out",
                             at.classifyDir(folder).string()});
        if (!generator.empty())
            argv.insert(argv.end(), {"--generator", generator});
        return argv;
    };
    stages.push_back({"classify:real", classify("real", "", "real")});

    for (const auto& s : settings) {
        const std::string model = at.model(s.name).string();
        const auto eval = at.evalDir(s.name);
        auto metrics = command({"metrics", model, "--data", o.data, "--out", eval.string()});
        if (s.conditional)
            metrics.push_back("--per-class");
        stages.push_back({"metrics:" + s.name, metrics});
        stages.push_back({"samples:" + s.name,
                          s.conditional ? command({"generate", model, "--seeds", "0-7", "--class", "all", "--grid", "8", "--out",
                                                   (eval / "samples").string()})
                                        : command({"generate", model, "--seeds", "0-55", "--grid", "8", "--out",
                                                   (eval / "samples").string()})});
        stages.push_back({"embed:" + s.name, command({"embed", model, "--data", o.data, "--count", std::to_string(o.embedCount),
                                                      "--method", o.embedMethod, "--plot", "--out", (eval / "embedding").string()})});
        stages.push_back({"project:" + s.name,
                          command({"project", model, "--data", o.data, "--subsets", "train,test", "--count",
                                   std::to_string(o.projectCount), "--steps", std::to_string(o.projectSteps), "--out",
                                   (eval / "projections").string()})});
        auto audit = command({"audit", model, "--data", o.data, "--out", eval.string()});
        if (o.auditCount > 0)
            audit.insert(audit.end(), {"--count", std::to_string(o.auditCount)});
        stages.push_back({"audit:" + s.name, audit});
        if (s.conditional)
            for (const std::string train : {"synthetic", "mixed"})
                stages.push_back({"classify:" + train + ":" + s.name, classify(train, model, s.name)});
    }
    return stages;
}

} // namespace dermgan::cli
