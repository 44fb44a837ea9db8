#include "metrics/reader_study.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "common/errors.h"
#include "common/random.h"
#include "data/csv_table.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"
#include "metrics/classification_report.h"

namespace dermgan::metrics {

namespace {

constexpr const char* kFormat = "dermgan-reader-study";
constexpr std::uint64_t kSeedRange = std::uint64_t{1} << 31;

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

double mean(const std::vector<double>& values)
{
    if (values.empty())
        return nan();
    double sum = 0;
    for (double v : values)
        sum += v;
    return sum / static_cast<double>(values.size());
}

nlohmann::json proportionJson(const Proportion& p)
{
    // NaN is not JSON: an empty proportion is null.
    const auto number = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
    return {{"successes", p.successes}, {"total", p.total}, {"value", number(p.value)},
            {"ci95", {number(p.low), number(p.high)}}};
}

std::string className(const ReaderStudySession& session, int index)
{
    if (index < 0 || index >= static_cast<int>(session.classNames.size()))
        return {};
    return session.classNames[static_cast<std::size_t>(index)];
}

// An integer field in [low, high]. JSON floats are refused rather than cast (a cast of 1e300 to int is
// undefined behaviour), as are values out of range.
std::int64_t integerField(const nlohmann::json& object, const char* key, std::int64_t low, std::int64_t high)
{
    const auto& value = object.at(key);
    bool inRange = false;
    if (value.is_number_unsigned())  // high >= 0 here, so a value up to high fits an int64
        inRange = value.get<std::uint64_t>() <= static_cast<std::uint64_t>(high) &&
                  static_cast<std::int64_t>(value.get<std::uint64_t>()) >= low;
    else if (value.is_number_integer())
        inRange = value.get<std::int64_t>() >= low && value.get<std::int64_t>() <= high;
    if (!inRange)
        throw InputError(std::string("'") + key + "' is " + value.dump() + ", not an integer from " + std::to_string(low) +
                         " to " + std::to_string(high));
    return value.get<std::int64_t>();
}

std::uint64_t seedField(const nlohmann::json& object, const char* key)
{
    const auto& value = object.at(key);
    if (!value.is_number_unsigned())
        throw InputError(std::string("'") + key + "' is " + value.dump() + ", not a seed (an integer from 0)");
    return value.get<std::uint64_t>();
}

int classIndexOf(const ReaderStudySession& session, const nlohmann::json& name)
{
    if (name.is_null())
        return -1;
    const auto text = name.get<std::string>();
    for (std::size_t i = 0; i < session.classNames.size(); ++i)
        if (session.classNames[i] == text)
            return static_cast<int>(i);
    throw InputError("diagnosis '" + text + "' is not one of the session's class_names");
}

} // namespace

std::size_t ReaderStudySession::nextTrial() const
{
    for (std::size_t i = 0; i < trials.size(); ++i)
        if (i >= answers.size() || !answers[i])
            return i;
    return trials.size();
}

std::vector<ReaderTrial> planReaderTrials(const std::vector<RealCandidate>& candidates, int classes, int perSource,
                                          std::uint64_t seed)
{
    if (perSource < 1)
        throw InputError("a reader study needs at least one image of each kind (got " + std::to_string(perSource) + ")");
    if (candidates.size() < static_cast<std::size_t>(perSource))
        throw InputError("a reader study of " + std::to_string(perSource) + " real images needs as many candidates; the dataset subset has " +
                         std::to_string(candidates.size()));
    Rng rng(deriveSeed(seed, 0));
    std::map<int, std::vector<std::size_t>> byClass;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        byClass[candidates[i].classIndex].push_back(i);
    std::vector<std::vector<std::size_t>> groups;
    for (auto& [label, rows] : byClass) {
        shuffleInPlace(rows, rng);
        groups.push_back(rows);
    }
    shuffleInPlace(groups, rng);

    std::vector<ReaderTrial> trials;
    std::vector<std::size_t> taken(groups.size(), 0);
    while (trials.size() < static_cast<std::size_t>(perSource))
        for (std::size_t g = 0; g < groups.size() && trials.size() < static_cast<std::size_t>(perSource); ++g)
            if (taken[g] < groups[g].size()) {
                const auto& candidate = candidates[groups[g][taken[g]++]];
                trials.push_back({false, candidate.imageId, 0, candidate.classIndex});
            }

    std::set<std::uint32_t> seeds;
    for (int i = 0; i < perSource; ++i) {
        ReaderTrial synthetic;
        synthetic.synthetic = true;
        do
            synthetic.seed = static_cast<std::uint32_t>(uniformBelow(rng, kSeedRange));
        while (!seeds.insert(synthetic.seed).second);
        if (classes > 0) {
            const int real = trials[static_cast<std::size_t>(i)].classIndex;
            synthetic.classIndex = real >= 0 && real < classes ? real : static_cast<int>(uniformBelow(rng, static_cast<std::uint64_t>(classes)));
        }
        trials.push_back(synthetic);
    }
    shuffleInPlace(trials, rng);
    return trials;
}

Proportion wilsonProportion(int successes, int total, double z)
{
    Proportion p;
    p.successes = successes;
    p.total = total;
    if (total <= 0) {
        p.value = p.low = p.high = nan();
        return p;
    }
    const double n = total, phat = successes / n, z2 = z * z;
    const double centre = (phat + z2 / (2 * n)) / (1 + z2 / n);
    const double half = z / (1 + z2 / n) * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n));
    p.value = phat;
    p.low = std::max(0.0, centre - half);
    p.high = std::min(1.0, centre + half);
    return p;
}

ReaderStudyResults summariseReaderStudy(const ReaderStudySession& session)
{
    int correct = 0, synthetic = 0, syntheticCalled = 0, real = 0, realCalled = 0;
    int diagnosedReal = 0, diagnosedRealRight = 0, diagnosedSynthetic = 0, diagnosedSyntheticRight = 0;
    std::vector<int> classTotal(session.classNames.size(), 0), classCorrect(session.classNames.size(), 0);
    std::vector<double> confidenceCorrect, confidenceWrong, ratings;
    std::vector<bool> isSynthetic;
    ReaderStudyResults results;
    for (std::size_t i = 0; i < session.trials.size() && i < session.answers.size(); ++i) {
        if (!session.answers[i])
            continue;
        const auto& trial = session.trials[i];
        const auto& answer = *session.answers[i];
        const bool right = answer.saidSynthetic == trial.synthetic;
        ++results.answered;
        correct += right;
        (right ? confidenceCorrect : confidenceWrong).push_back(answer.confidence);
        ratings.push_back(answer.saidSynthetic ? answer.confidence : -answer.confidence);
        isSynthetic.push_back(trial.synthetic);
        if (trial.synthetic) {
            ++synthetic;
            syntheticCalled += answer.saidSynthetic;
        } else {
            ++real;
            realCalled += !answer.saidSynthetic;
        }
        if (trial.classIndex >= 0 && trial.classIndex < static_cast<int>(classTotal.size())) {
            ++classTotal[static_cast<std::size_t>(trial.classIndex)];
            classCorrect[static_cast<std::size_t>(trial.classIndex)] += right;
            if (answer.diagnosis >= 0) {
                const bool diagnosisRight = answer.diagnosis == trial.classIndex;
                if (trial.synthetic) {
                    ++diagnosedSynthetic;
                    diagnosedSyntheticRight += diagnosisRight;
                } else {
                    ++diagnosedReal;
                    diagnosedRealRight += diagnosisRight;
                }
            }
        }
    }
    results.accuracy = wilsonProportion(correct, results.answered);
    results.sensitivity = wilsonProportion(syntheticCalled, synthetic);
    results.specificity = wilsonProportion(realCalled, real);
    for (std::size_t c = 0; c < classTotal.size(); ++c)
        if (classTotal[c] > 0)
            results.perDiagnosis.push_back({session.classNames[c], wilsonProportion(classCorrect[c], classTotal[c])});
    results.diagnosisOnReal = wilsonProportion(diagnosedRealRight, diagnosedReal);
    results.diagnosisOnSynthetic = wilsonProportion(diagnosedSyntheticRight, diagnosedSynthetic);
    results.meanConfidenceCorrect = mean(confidenceCorrect);
    results.meanConfidenceWrong = mean(confidenceWrong);
    results.ratingAuc = rocAuc(ratings, isSynthetic);
    return results;
}

nlohmann::json toJson(const ReaderStudySession& session)
{
    nlohmann::json trials = nlohmann::json::array();
    for (std::size_t i = 0; i < session.trials.size(); ++i) {
        const auto& trial = session.trials[i];
        nlohmann::json row = {{"source", trial.synthetic ? "synthetic" : "real"}};
        if (trial.synthetic)
            row["seed"] = trial.seed;
        else
            row["image_id"] = trial.imageId;
        const std::string name = className(session, trial.classIndex);
        row["class"] = name.empty() ? nlohmann::json() : nlohmann::json(name);
        if (i < session.answers.size() && session.answers[i]) {
            const auto& answer = *session.answers[i];
            const std::string diagnosis = className(session, answer.diagnosis);
            row["answer"] = {{"call", answer.saidSynthetic ? "synthetic" : "real"},
                             {"confidence", answer.confidence},
                             {"diagnosis", diagnosis.empty() ? nlohmann::json() : nlohmann::json(diagnosis)},
                             {"seconds", answer.seconds}};
        }
        trials.push_back(row);
    }
    return {{"format", kFormat},
            {"version", ReaderStudySession::kVersion},
            {"reader", session.reader},
            {"model", session.model},
            {"model_hash", session.modelHash},
            {"dataset", session.dataset},
            {"subset", session.subset},
            {"split_seed", session.splitSeed},
            {"resolution", session.resolution},
            {"psi", session.psi},
            {"seed", session.seed},
            {"ask_diagnosis", session.askDiagnosis},
            {"class_names", session.classNames},
            {"trials", trials}};
}

nlohmann::json toJson(const ReaderStudyResults& r)
{
    const auto number = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
    nlohmann::json perDiagnosis = nlohmann::json::object();
    for (const auto& row : r.perDiagnosis)
        perDiagnosis[row.className] = proportionJson(row.realVsSynthetic);
    return {{"answered", r.answered},
            {"accuracy", proportionJson(r.accuracy)},
            {"sensitivity_synthetic", proportionJson(r.sensitivity)},
            {"specificity_real", proportionJson(r.specificity)},
            {"rating_auc", number(r.ratingAuc)},
            {"per_diagnosis_accuracy", perDiagnosis},
            {"diagnosis_accuracy_real", proportionJson(r.diagnosisOnReal)},
            {"diagnosis_accuracy_synthetic", proportionJson(r.diagnosisOnSynthetic)},
            {"mean_confidence_correct", number(r.meanConfidenceCorrect)},
            {"mean_confidence_wrong", number(r.meanConfidenceWrong)}};
}

void saveReaderStudy(const ReaderStudySession& session, const std::filesystem::path& file)
{
    writeTextFileAtomically(file, toJson(session).dump(1) + "\n");
}

ReaderStudySession loadReaderStudy(const std::filesystem::path& file)
{
    return readingFile(file, "a dermgan reader study session (.json)", [&] {
        std::ifstream in(file);
        if (!in)
            throw InputError("cannot be read");
        const auto json = nlohmann::json::parse(in);
        if (!json.is_object() || json.value("format", "") != kFormat)
            throw InputError("not a reader study session");
        const auto version = integerField(json, "version", 1, 1 << 30);
        if (version > ReaderStudySession::kVersion)
            throw InputError("made by a newer dermgan (version " + std::to_string(version) + "); upgrade dermgan");
        ReaderStudySession s;
        s.reader = json.at("reader").get<std::string>();
        s.model = json.at("model").get<std::string>();
        s.modelHash = json.at("model_hash").get<std::string>();
        s.dataset = json.at("dataset").get<std::string>();
        s.subset = json.at("subset").get<std::string>();
        s.splitSeed = seedField(json, "split_seed");
        s.resolution = static_cast<int>(integerField(json, "resolution", 0, 1 << 16));
        s.psi = json.at("psi").get<double>();
        s.seed = seedField(json, "seed");
        s.askDiagnosis = json.at("ask_diagnosis").get<bool>();
        s.classNames = json.at("class_names").get<std::vector<std::string>>();
        for (const auto& row : json.at("trials")) {
            ReaderTrial trial;
            const auto source = row.at("source").get<std::string>();
            if (source != "real" && source != "synthetic")
                throw InputError("a trial's source is '" + source + "', not real or synthetic");
            trial.synthetic = source == "synthetic";
            if (trial.synthetic)
                trial.seed = static_cast<std::uint32_t>(integerField(row, "seed", 0, UINT32_MAX));
            else if ((trial.imageId = row.at("image_id").get<std::string>()).empty())
                throw InputError("a real trial has an empty image_id");
            trial.classIndex = classIndexOf(s, row.value("class", nlohmann::json()));
            std::optional<ReaderAnswer> answer;
            if (row.contains("answer")) {
                const auto& a = row.at("answer");
                const auto call = a.at("call").get<std::string>();
                if (call != "real" && call != "synthetic")
                    throw InputError("an answer's call is '" + call + "', not real or synthetic");
                answer = ReaderAnswer{call == "synthetic", static_cast<int>(integerField(a, "confidence", 1, 5)),
                                      classIndexOf(s, a.value("diagnosis", nlohmann::json())), a.value("seconds", 0.0)};
            }
            s.trials.push_back(trial);
            s.answers.push_back(answer);
        }
        if (s.trials.empty())
            throw InputError("it holds no trials");
        return s;
    });
}

std::string readerStudyCsv(const ReaderStudySession& session)
{
    std::ostringstream csv;
    csv << "trial,source,image_id,seed,true_diagnosis,answer,confidence,reader_diagnosis,seconds,correct\n";
    for (std::size_t i = 0; i < session.trials.size(); ++i) {
        const auto& trial = session.trials[i];
        csv << i + 1 << ',' << (trial.synthetic ? "synthetic" : "real") << ',' << csvField(trial.imageId) << ',';
        if (trial.synthetic)
            csv << trial.seed;
        csv << ',' << csvField(className(session, trial.classIndex)) << ',';
        if (i < session.answers.size() && session.answers[i]) {
            const auto& a = *session.answers[i];
            csv << (a.saidSynthetic ? "synthetic" : "real") << ',' << a.confidence << ',' << csvField(className(session, a.diagnosis)) << ','
                << a.seconds << ',' << (a.saidSynthetic == trial.synthetic ? 1 : 0);
        } else {
            csv << ",,,,";
        }
        csv << '\n';
    }
    return csv.str();
}

} // namespace dermgan::metrics
