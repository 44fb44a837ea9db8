// `dermgan reader-study SESSION.json...`: the results of reader studies run in the explorer (Reader study
// tab), one reader or several pooled, as reader-study.json/.txt and one CSV of every answer.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "common/errors.h"
#include "data/csv_table.h"
#include "evaluation_commands.h"
#include "common/exit_codes.h"
#include "io/atomic_file.h"
#include "metrics/reader_study.h"
#include "report_files.h"

namespace dermgan::cli {

namespace {

struct ReaderStudyArgs {
    std::vector<std::string> sessions;
    std::string out = "reports";
    bool json = false;
};

std::string formatProportion(const metrics::Proportion& p)
{
    if (p.total == 0)
        return "- (no answers)";
    char text[96];
    std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f] (%d of %d)", p.value, p.low, p.high, p.successes, p.total);
    return text;
}

std::string resultsText(const metrics::ReaderStudyResults& r)
{
    std::ostringstream text;
    text << "  accuracy (real vs synthetic):        " << formatProportion(r.accuracy)
         << "   0.5 = the readers cannot tell them apart\n"
         << "  synthetic called synthetic (sensitivity): " << formatProportion(r.sensitivity) << "\n"
         << "  real called real (specificity):          " << formatProportion(r.specificity) << "\n";
    if (!std::isnan(r.ratingAuc))
        text << "  rating AUC (calls weighted by confidence): " << r.ratingAuc << "\n";
    for (const auto& row : r.perDiagnosis)
        text << "  accuracy on " << row.className << " images: " << formatProportion(row.realVsSynthetic) << "\n";
    if (r.diagnosisOnReal.total + r.diagnosisOnSynthetic.total > 0)
        text << "  readers' diagnosis right on real images:      " << formatProportion(r.diagnosisOnReal) << "\n"
             << "  readers' diagnosis right on synthetic images: " << formatProportion(r.diagnosisOnSynthetic) << "\n";
    return text.str();
}

void runReaderStudy(const ReaderStudyArgs& args)
{
    std::vector<metrics::ReaderStudySession> sessions;
    for (const auto& file : args.sessions)
        sessions.push_back(metrics::loadReaderStudy(file));
    // Pooling is one session of every trial: readers of one model, with one list of diagnoses.
    metrics::ReaderStudySession pooled = sessions.front();
    pooled.trials.clear();
    pooled.answers.clear();
    std::ostringstream csv;
    csv << "reader," << metrics::readerStudyCsv(pooled);  // the header only
    nlohmann::json readers = nlohmann::json::array();
    std::string perReader;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        const auto& s = sessions[i];
        if (s.modelHash != pooled.modelHash || s.classNames != pooled.classNames)
            throw InputError(args.sessions[i] + ": a reader study of model " + s.modelHash + " (or its diagnoses), not of " +
                             pooled.modelHash + " like " + args.sessions.front() + "; pool sessions of one model only");
        if (s.psi != pooled.psi || s.resolution != pooled.resolution || s.subset != pooled.subset)
            throw InputError(args.sessions[i] + ": shown at another psi, resolution or split than " + args.sessions.front() +
                             "; pool sessions made alike only");
        pooled.trials.insert(pooled.trials.end(), s.trials.begin(), s.trials.end());
        pooled.answers.insert(pooled.answers.end(), s.answers.begin(), s.answers.end());
        std::istringstream rows(metrics::readerStudyCsv(s));
        std::string row;
        std::getline(rows, row);  // header
        while (std::getline(rows, row))
            csv << csvField(s.reader) << ',' << row << '\n';
        const auto results = metrics::summariseReaderStudy(s);
        readers.push_back({{"reader", s.reader}, {"session", args.sessions[i]}, {"trials", s.trials.size()},
                           {"results", metrics::toJson(results)}});
        perReader += "  reader " + (s.reader.empty() ? std::string("(unnamed)") : s.reader) + ": " +
                     formatProportion(results.accuracy) + (s.complete() ? "" : ", session not finished") + "\n";
    }
    const auto results = metrics::summariseReaderStudy(pooled);
    if (results.answered == 0)
        throw InputError(args.sessions.front() + ": no trial has been answered yet");

    std::filesystem::create_directories(args.out);
    writeTextFileAtomically(std::filesystem::path(args.out) / "reader-study.csv", csv.str());
    nlohmann::json json = metrics::toJson(results);
    json["model"] = pooled.model;
    json["model_hash"] = pooled.modelHash;
    json["psi"] = pooled.psi;
    json["resolution"] = pooled.resolution;
    json["readers"] = readers;
    std::ostringstream text;
    text << "Reader study of " << pooled.model << " (" << pooled.modelHash << "), " << pooled.resolution << "x"
         << pooled.resolution << ", psi " << pooled.psi << ": " << sessions.size() << " reader(s), " << results.answered
         << " answers (95% Wilson intervals).\n"
         << resultsText(results) << perReader << "  every answer: " << (std::filesystem::path(args.out) / "reader-study.csv").string()
         << "\n";
    publishReport(args.out, "reader-study", json, text.str(), args.json);
}

} // namespace

void addReaderStudyCommand(CLI::App& parent, int& exitCode)
{
    auto args = std::make_shared<ReaderStudyArgs>();
    auto* cmd = parent.add_subcommand("reader-study",
                                      "Results of reader studies run in the explorer: can readers tell real from synthetic?");
    cmd->add_option("sessions", args->sessions, "Session files (.json) of one model; several are pooled")->required();
    cmd->add_option("--out,-o", args->out, "Report folder (reader-study.json/.txt/.csv)")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print the summary as JSON");
    cmd->callback([args, &exitCode] {
        runReaderStudy(*args);
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
