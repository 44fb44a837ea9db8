#include "study_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "io/atomic_file.h"
#include "metrics/metric_catalogue.h"

namespace dermgan::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// "- Feature network: FILE (hash H)" from a metrics report, also recorded in `out`: FID-derm and its kin
// change with the network, so a report names the one it used. Empty until a metrics stage has run.
std::string extractorLine(const json& metrics, json& out)
{
    if (!metrics.contains("extractor_hash"))
        return "";
    const std::string file = fs::path(metrics.value("extractor_file", std::string())).filename().string();
    const std::string hash = metrics.at("extractor_hash").get<std::string>();
    out["extractor"] = {{"file", file}, {"hash", hash}};
    return "- Feature network (FID-derm, KID-derm, precision/recall, density/coverage, embeddings, projection distances): `" + file + "` (hash " + hash + ").\n";
}

json readJson(const fs::path& file)
{
    std::ifstream in(file);
    if (!in)
        return nullptr;
    auto parsed = json::parse(in, nullptr, false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
}

// A value at a JSON pointer, or null when the report or the field is missing.
json at(const json& document, const std::string& pointer)
{
    if (document.is_null())
        return nullptr;
    const json::json_pointer p(pointer);
    return document.contains(p) ? document.at(p) : json(nullptr);
}

std::string fixed(const json& value, int decimals)
{
    if (!value.is_number())
        return "–";
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, value.get<double>());
    return text;
}

std::string textOf(const json& value, const std::string& fallback = "–")
{
    return value.is_string() ? value.get<std::string>() : fallback;
}

std::string minutes(const json& seconds)
{
    if (!seconds.is_number())
        return "–";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f min", seconds.get<double>() / 60);
    return text;
}

// Training stages the study ran for a setting: images seen (all sites together) and the wall time.
struct TrainingNumbers {
    json kimg, seconds, secPerKimg;
};

TrainingNumbers trainingNumbers(const StudyLayout& layout, const StudySetting& s, const json& record)
{
    TrainingNumbers n;
    const json& stage = record.value("train:" + s.name, json::object());
    if (!stage.value("done", false))
        return n;
    n.seconds = stage.at("seconds");
    if (s.federated) {
        double kimg = 0;
        std::ifstream in(layout.trainDir(s.name) / "rounds.jsonl");
        for (std::string line; std::getline(in, line);) {
            const auto round = json::parse(line, nullptr, false);
            if (round.is_object())  // cumulative: the last round's is the run's total
                kimg = std::max(kimg, round.value("kimg_all_sites", 0.0));
        }
        if (kimg > 0)
            n.kimg = kimg;
    } else {
        n.kimg = at(readJson(layout.evalDir(s.name) / "metrics.json"), "/model_kimg");
    }
    if (n.kimg.is_number() && n.kimg.get<double>() > 0)
        n.secPerKimg = n.seconds.get<double>() / n.kimg.get<double>();
    return n;
}

// "Best: FID-derm cond-central (11.9), ..." over the settings that have the value.
std::string bestLine(const std::vector<std::pair<std::string, std::vector<json>>>& columns,
                     const std::vector<std::string>& names, const std::vector<bool>& lowerIsBetter, int decimals)
{
    std::string line;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        int best = -1;
        int valid = 0;
        for (std::size_t i = 0; i < names.size(); ++i) {
            const json& v = columns[c].second[i];
            if (!v.is_number())
                continue;
            ++valid;
            if (best < 0 || (lowerIsBetter[c] ? v.get<double>() < columns[c].second[best].get<double>()
                                              : v.get<double>() > columns[c].second[best].get<double>()))
                best = static_cast<int>(i);
        }
        if (valid >= 2)
            line += (line.empty() ? "" : "; ") + columns[c].first + " **" + names[static_cast<std::size_t>(best)] + "** (" +
                    fixed(columns[c].second[static_cast<std::size_t>(best)], decimals) + ")";
    }
    return line;
}

void copyIfPresent(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    if (fs::exists(from))
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
}

std::string commandList(const json& record, const std::vector<std::string>& stageNames)
{
    std::string text;
    for (const auto& name : stageNames) {
        const json& stage = record.value(name, json::object());
        if (stage.contains("command"))
            text += "    " + stage.at("command").get<std::string>() + "\n";
    }
    return text.empty() ? "" : "\n```\n" + text + "```\n";
}

// What every section of the report reads, and the two documents it writes into.
struct ReportSections {
    const StudyOptions& options;
    const StudyLayout& layout;
    const fs::path& reportDir;               // figures are copied here beside report.md
    const std::vector<StudySetting>& settings;
    const std::vector<std::string>& names;   // the settings' names, in row order
    const json& record;                      // stages.json: each stage's command and whether it finished
    const json& network;                     // the first setting's training_options.json
    const json& realClassifier;              // classify-real.json
    std::ostringstream& md;                  // report.md
    json& out;                               // report.json
};

// ## the scale of the run: data, networks, lengths, feature network, machine
void writeScale(const ReportSections& r)
{
    const auto& options = r.options;
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& network = r.network;
    const auto& realClassifier = r.realClassifier;
    auto& md = r.md;
    auto& out = r.out;
    md << "## Scale\n\n"
       << "- Data: `" << options.data << "`, lesion-grouped split (seed 0): every GAN and classifier trains on the "
          "training split, the classifier's epoch is chosen on the validation split, and everything is scored on "
          "the held-out test split. The federated settings train on the split's " << options.sites
       << " institutions (about 6, 31 and 63 % of the lesions), each site seeing only its own share.\n"
       << "- GANs: " << fixed(at(network, "/network/img_resolution"), 0) << "x" << fixed(at(network, "/network/img_resolution"), 0)
       << " StyleGAN2-ADA, batch " << fixed(at(network, "/batch"), 0) << ", z/w " << fixed(at(network, "/network/z_dim"), 0)
       << ", channel max " << fixed(at(network, "/network/channel_max"), 0) << "; " << options.kimg
       << " kimg per model (the federated sites together: " << options.rounds << " rounds of " << options.kimg / (options.sites * options.rounds)
       << " kimg per site), seed " << options.seed << ".\n"
       << "- Classifiers: the project's residual CNN at the GANs' resolution, " << options.classifierEpochs
       << " epoch(s) each, identical except for the training images.\n"
       << "- Projections: " << options.projectCount << " training and " << options.projectCount << " test images per model, "
       << options.projectSteps << " steps in W. Embeddings: " << options.embedCount << " real test and "
       << options.embedCount << " synthetic images (" << options.embedMethod << " of derm features).\n"
       << extractorLine(readJson(layout.evalDir(settings.front().name) / "metrics.json"), out)
       << "- Machine: " << std::thread::hardware_concurrency() << " cores, " << options.threads << " threads per stage"
       << (realClassifier.is_null() ? "" : " (" + textOf(at(realClassifier, "/hardware")) + ")")
       << "; the federated sites run as " << options.sites << " processes on this one machine, sharing its cores.\n\n";
}

// ## fidelity, diversity and training speed per setting, against the floor
void writeFidelity(const ReportSections& r)
{
    const auto& options = r.options;
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& names = r.names;
    const auto& record = r.record;
    auto& md = r.md;
    auto& out = r.out;
    // The columns: every value of the default features metrics, in the catalogue's order, as the study
    // computes them (FID-derm, KID-derm, Precision-derm, ...), then the training speed.
    struct Column {
        std::string key, label;
        bool lowerIsBetter;
        int decimals;
        std::vector<json> values;  // per setting
    };
    std::vector<Column> columns;
    for (const auto& metric : metrics::metricCatalogue())
        if (metric.input == metrics::MetricInput::Features && metric.byDefault)
            for (const auto& value : metric.values)
                columns.push_back({metrics::reportKey(metric, value, "derm"), metrics::reportLabel(metric, value, "derm"),
                                   value.lowerIsBetter, value.decimals, {}});
    std::vector<json> secPerKimg;
    json floor;
    md << "## Fidelity, diversity and training speed\n\n"
       << "Against the real test split, in the project's derm feature space (FID-derm is *not* comparable to published "
          "Inception FIDs; compare the rows with each other and with the floor).\n\n"
       << "| setting | kimg | wall time | sec/kimg |";
    for (const auto& column : columns)
        md << " " << column.label << " |";
    md << "\n|---|---|---|---|";
    for (std::size_t c = 0; c < columns.size(); ++c)
        md << "---|";
    md << "\n";
    json fidelity = json::object();
    for (const auto& s : settings) {
        const json metrics = readJson(layout.evalDir(s.name) / "metrics.json");
        const auto t = trainingNumbers(layout, s, record);
        const json m = at(metrics, "/metrics");
        if (floor.is_null())
            floor = at(metrics, "/baseline_real_train_vs_test");
        secPerKimg.push_back(t.secPerKimg);
        md << "| " << s.name << " | " << fixed(t.kimg, t.kimg.is_number() && t.kimg.get<double>() < 1 ? 3 : 1) << " | "
           << minutes(t.seconds) << " | " << fixed(t.secPerKimg, 1) << " |";
        for (auto& column : columns) {
            column.values.push_back(at(m, "/" + column.key));
            md << " " << fixed(column.values.back(), column.decimals) << " |";
        }
        md << "\n";
        fidelity[s.name] = {{"kimg", t.kimg}, {"wall_seconds", t.seconds}, {"sec_per_kimg", t.secPerKimg}, {"metrics", m}};
    }
    if (!floor.is_null()) {
        md << "| real training images (the floor) | | | |";
        for (const auto& column : columns)
            md << " " << fixed(at(floor, "/" + column.key), column.decimals) << " |";
        md << "\n";
    }
    out["fidelity"] = fidelity;
    out["floor"] = floor;
    std::vector<std::pair<std::string, std::vector<json>>> ranked;
    std::vector<bool> lowerIsBetter;
    for (const auto& column : columns) {
        ranked.emplace_back(column.label, column.values);
        lowerIsBetter.push_back(column.lowerIsBetter);
    }
    ranked.emplace_back("sec/kimg", secPerKimg);
    lowerIsBetter.push_back(true);
    const std::string best = bestLine(ranked, names, lowerIsBetter, 3);
    if (!best.empty())
        md << "\nBest per column: " << best << ".\n";
    md << "\nWall time and sec/kimg are the study's own clock around each training command (all sites together for "
          "federated runs, whose processes share this machine's cores, so their speed says how well " << options.sites
       << " processes use it, not how fast separate institutions would be).\n";
    std::vector<std::string> fidelityStages;
    for (const auto& s : settings)
        fidelityStages.insert(fidelityStages.end(), {"train:" + s.name, "metrics:" + s.name});
    md << commandList(record, fidelityStages) << "\n";
}

// ## each model's sample grid
void writeSamples(const ReportSections& r)
{
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    auto& md = r.md;
    const auto& reportDir = r.reportDir;
    md << "## Samples\n\nSynthetic images of each model (seeds 0-7 across; conditional models: one row per diagnosis, "
          "unconditional: seeds 0-55).\n\n";
    for (const auto& s : settings) {
        const std::string file = "samples-" + s.name + ".png";
        copyIfPresent(layout.evalDir(s.name) / "samples" / "grid.png", reportDir / file);
        if (fs::exists(reportDir / file))
            md << "**" << s.name << "**\n\n![synthetic samples of " << s.name << "](" << file << ")\n\n";
    }
}

// ## classifiers trained on real, synthetic and mixed images
void writeClassifiers(const ReportSections& r)
{
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& record = r.record;
    const auto& realClassifier = r.realClassifier;
    auto& md = r.md;
    auto& out = r.out;
    md << "## Predictive ability: classifiers trained on real, synthetic or mixed images\n\n"
       << "The same classifier trained on each kind of data and tested on the real test split. Synthetic sets come from "
          "the conditional generators (class frequencies of the real training split); mixed = real + as many synthetic.\n\n"
       << "| training data | training images | accuracy | balanced accuracy | macro F1 | melanoma ROC-AUC |\n"
       << "|---|---|---|---|---|---|\n";
    json classifiers = json::object();
    std::vector<std::string> classifierStages{"classify:real"};
    const auto classifierRow = [&](const std::string& label, const json& report) {
        md << "| " << label << " | " << fixed(at(report, "/train_images"), 0) << " | " << fixed(at(report, "/test/accuracy"), 3)
           << " | " << fixed(at(report, "/test/balanced_accuracy"), 3) << " | " << fixed(at(report, "/test/macro_f1"), 3) << " | "
           << fixed(at(report, "/test/auc_vs_rest"), 3) << " |\n";
        classifiers[label] = at(report, "/test");
    };
    classifierRow("real", realClassifier);
    for (const auto& s : settings) {
        if (!s.conditional)
            continue;
        for (const std::string train : {"synthetic", "mixed"}) {
            classifierRow(train + ", " + s.name, readJson(layout.classifyDir(s.name) / ("classify-" + train + ".json")));
            classifierStages.push_back("classify:" + train + ":" + s.name);
        }
    }
    out["classifiers"] = classifiers;
    md << "\nUnconditional generators make unlabelled images, so they have no classifier rows.\n"
       << commandList(record, classifierStages) << "\n";
}

// ## projections of training vs held-out images
void writeProjections(const ReportSections& r)
{
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& record = r.record;
    auto& md = r.md;
    auto& out = r.out;
    md << "## Projection into the latent space: training vs held-out images\n\n"
       << "Real images projected into W; medians of the distances between each image and its projection. Held-out "
          "(test) images reproduced about as well as training images mean the generator generalises; much closer "
          "training projections would point to memorisation.\n\n"
       << "| setting | subset | images | perceptual (derm) | feature cosine | PSNR dB | SSIM |\n|---|---|---|---|---|---|---|\n";
    json projections = json::object();
    std::vector<std::string> projectionStages;
    for (const auto& s : settings) {
        const json report = readJson(layout.evalDir(s.name) / "projections" / "project.json");
        for (const std::string subset : {"train", "test"}) {
            const json summary = at(report, "/summary/" + subset);
            md << "| " << s.name << " | " << subset << " | " << fixed(at(summary, "/count"), 0) << " | "
               << fixed(at(summary, "/median/perceptual"), 4) << " | " << fixed(at(summary, "/median/feature_cosine_distance"), 4)
               << " | " << fixed(at(summary, "/median/psnr_db"), 2) << " | " << fixed(at(summary, "/median/ssim"), 3) << " |\n";
        }
        projections[s.name] = at(report, "/summary");
        projectionStages.push_back("project:" + s.name);
    }
    out["projections"] = projections;
    md << commandList(record, projectionStages) << "\n";
}

// ## the maps of real and synthetic images
void writeEmbeddings(const ReportSections& r)
{
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& record = r.record;
    auto& md = r.md;
    auto& out = r.out;
    const auto& reportDir = r.reportDir;
    md << "## Embedding of real and synthetic images\n\n"
       << "Derm features of real test images (left) and synthetic images (right; balanced over the diagnoses for "
          "conditional models, grey when unlabelled) mapped together, so both panels share axes; colour is the diagnosis. Synthetic points missing from a region of real ones show what the generator "
          "does not cover.\n\n";
    json embeddings = json::object();
    std::vector<std::string> embedStages;
    for (const auto& s : settings) {
        const json report = readJson(layout.evalDir(s.name) / "embedding" / "embed.json");
        const std::string file = "embedding-" + s.name + ".png";
        copyIfPresent(layout.evalDir(s.name) / "embedding" / "embedding.png", reportDir / file);
        if (fs::exists(reportDir / file))
            md << "**" << s.name << "** (trustworthiness of the map, k = 10: " << fixed(at(report, "/trustworthiness_k10"), 3)
               << ")\n\n![embedding of " << s.name << "](" << file << ")\n\n";
        embeddings[s.name] = report;
        embedStages.push_back("embed:" + s.name);
    }
    out["embeddings"] = embeddings;
    md << commandList(record, embedStages) << "\n";
}

// ## the memorisation audit
void writeAudit(const ReportSections& r)
{
    const auto& layout = r.layout;
    const auto& settings = r.settings;
    const auto& record = r.record;
    auto& md = r.md;
    auto& out = r.out;
    md << "## Memorisation audit\n\n"
       << "For every synthetic image, the derm-feature distance to its nearest real training image, beside the same "
          "distance for held-out real test images. A ratio near 1 means synthetic images are as far from the training "
          "set as new real lesions are; flagged images are closer than the 1% quantile of the held-out distances (about 1% "
          "expected by chance).\n\n"
       << "| setting | synthetic images | median distance, synthetic | median distance, held-out real | ratio | flagged |\n"
       << "|---|---|---|---|---|---|\n";
    json audits = json::object();
    std::vector<std::string> auditStages;
    for (const auto& s : settings) {
        const json report = readJson(layout.evalDir(s.name) / "audit.json");
        const json fraction = at(report, "/near_copy_fraction");
        md << "| " << s.name << " | " << fixed(at(report, "/synthetic_count"), 0) << " | "
           << fixed(at(report, "/median_synthetic_to_train_distance"), 4) << " | "
           << fixed(at(report, "/median_test_to_train_distance"), 4) << " | " << fixed(at(report, "/median_ratio"), 3) << " | "
           << (fraction.is_number() ? fixed(100 * fraction.get<double>(), 2) + " %" : "–") << " |\n";
        audits[s.name] = report;
        auditStages.push_back("audit:" + s.name);
    }
    out["audits"] = audits;
    md << commandList(record, auditStages) << "\n";
}

// ## how far this run is from the study's setting
void writeScaleComparison(const ReportSections& r)
{
    const auto& options = r.options;
    const auto& network = r.network;
    auto& md = r.md;
    md << "## How this compares with the study's setting\n\n"
       << "The study trained StyleGAN2-ADA at 256x256 on GPUs; StyleGAN2-ADA's own default length is 25,000 kimg. This "
          "report's models are " << fixed(at(network, "/network/img_resolution"), 0) << "x"
       << fixed(at(network, "/network/img_resolution"), 0) << ", small (the CPU preset), and trained for " << options.kimg
       << " kimg on " << std::thread::hardware_concurrency()
       << " CPU cores: far from converged, so the absolute numbers say little about what the same settings reach "
          "at the study's scale. What carries over is the comparison between settings at equal images seen, and the "
          "method: the same commands run unchanged at 256x256 with `--preset gpu --resolution 256` on a GPU machine.\n";
}

} // namespace

void writeStudyReport(const StudyOptions& options, const std::vector<StudyStage>& stages, const json& record)
{
    const StudyLayout layout{options.out};
    const fs::path reportDir = layout.reportDir();
    fs::create_directories(reportDir);
    std::vector<StudySetting> settings;
    std::vector<std::string> names;
    for (const auto& name : options.settings) {
        settings.push_back(parseStudySetting(name));
        names.push_back(name);
    }
    int finished = 0;
    for (const auto& stage : stages)
        finished += record.value(stage.name, json::object()).value("done", false) ? 1 : 0;
    const json study = readJson(options.out / "study.json");
    const json realClassifier = readJson(layout.classifyDir("real") / "classify-real.json");
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));

    std::ostringstream md;
    json out = {{"options", options.toJson()}, {"stages", record}, {"written", date}};
    md << "# The comparative study: conditional vs unconditional x centralized vs " << options.sites << " institutions\n\n"
       << "Made by `dermgan study` (" << finished << " of " << stages.size() << " stages finished, " << date << "). "
       << "Run the same command again to regenerate it; finished stages are kept, so delete the study folder to "
          "start over:\n\n```\n"
       << textOf(at(study, "/command")) << "\n```\n\n";

    json network = readJson(layout.trainDir(names.front()) / "training_options.json");
    if (network.is_null())
        network = readJson(layout.trainDir(names.front()) / "site-0" / "training_options.json");
    const ReportSections sections{options, layout, reportDir, settings, names, record, network, realClassifier, md, out};
    for (const auto write : {writeScale, writeFidelity, writeSamples, writeClassifiers, writeProjections, writeEmbeddings,
                             writeAudit, writeScaleComparison})
        write(sections);

    writeTextFileAtomically(reportDir / "report.md", md.str());
    writeTextFileAtomically(reportDir / "report.json", out.dump(2) + "\n");
}

} // namespace dermgan::cli
