#pragma once
// A reader study: people judge a shuffled series of real and synthetic lesions as "real" or "synthetic"
// (with a confidence and, optionally, the diagnosis): the human counterpart of the two-sample classifier
// test ("visual Turing test"), reported as published reader studies of synthetic dermoscopy report it:
// accuracy with a 95% interval (0.5 = chance), sensitivity/specificity for "synthetic", and the readers'
// diagnosis accuracy on real vs synthetic images. A session stores image ids, seeds and answers, never
// pixels; it is a JSON file rewritten atomically after every answer, so a study can stop and resume anywhere.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dermgan::metrics {

struct ReaderTrial {
    bool synthetic = false;
    std::string imageId;     // real: the dataset's image id; synthetic: empty
    std::uint32_t seed = 0;  // synthetic: the generator seed
    int classIndex = -1;     // the true diagnosis (synthetic: the class it was generated for); -1 = unknown
};

struct ReaderAnswer {
    bool saidSynthetic = false;
    int confidence = 0;      // 1 (guess) .. 5 (certain)
    int diagnosis = -1;      // the reader's diagnosis (class index); -1 = not given
    double seconds = 0;      // time from showing the image to answering
};

struct ReaderStudySession {
    static constexpr int kVersion = 1;
    std::string reader;                  // a name or code the reader chose
    std::string model, modelHash;        // the generator of the synthetic images
    std::string dataset, subset = "test";
    std::uint64_t splitSeed = 0;
    int resolution = 0;                  // both kinds are shown at the model's resolution, scaled alike
    double psi = 1.0;                    // truncation of the synthetic images
    std::uint64_t seed = 0;              // the plan's seed (which images, which order)
    bool askDiagnosis = false;
    std::vector<std::string> classNames; // the model's diagnoses (empty: unconditional and unlabelled)
    std::vector<ReaderTrial> trials;
    std::vector<std::optional<ReaderAnswer>> answers;  // one per trial; empty until answered

    // The first unanswered trial, or trials.size() when the session is complete.
    std::size_t nextTrial() const;
    bool complete() const { return nextTrial() == trials.size(); }
};

// A real image the plan may show.
struct RealCandidate {
    std::string imageId;
    int classIndex = -1;  // -1 = unlabelled
};

// Plans `perSource` real and `perSource` synthetic trials in a seeded shuffled order. Real images are drawn
// without replacement, as evenly across diagnoses as the candidates allow (round robin over the classes in a
// seeded order, so rare diagnoses are not swamped by nevi). Each synthetic trial takes the diagnosis of one
// real trial (a conditional model, `classes` > 0), so both kinds show the same mix and the diagnosis gives
// nothing away; its seed is drawn from [0, 2^31) without repeats. Throws InputError when perSource < 1 or
// the candidates are fewer than perSource.
std::vector<ReaderTrial> planReaderTrials(const std::vector<RealCandidate>& candidates, int classes, int perSource,
                                          std::uint64_t seed);

// k successes out of n with the Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it
// over the normal interval for small n). value and the bounds are NaN when n = 0.
struct Proportion {
    int successes = 0;
    int total = 0;
    double value = 0, low = 0, high = 0;
};
Proportion wilsonProportion(int successes, int total, double z = 1.959963984540054);

struct DiagnosisRow {
    std::string className;
    Proportion realVsSynthetic;  // correct real/synthetic calls on images of this diagnosis
};

struct ReaderStudyResults {
    int answered = 0;
    Proportion accuracy;          // correct real/synthetic calls; 0.5 = readers cannot tell them apart
    Proportion sensitivity;       // synthetic images called synthetic
    Proportion specificity;       // real images called real
    std::vector<DiagnosisRow> perDiagnosis;
    Proportion diagnosisOnReal;   // the reader's diagnosis right, on real images (when asked)
    Proportion diagnosisOnSynthetic;
    double meanConfidenceCorrect = 0, meanConfidenceWrong = 0;  // NaN without such answers
    // ROC-AUC of the rating "synthetic with confidence c" = +c, "real with confidence c" = -c: uses the
    // confidences as well as the calls (0.5 = chance). NaN until both kinds were answered.
    double ratingAuc = 0;
};

// Over the answered trials only (a study may be summarised while in progress).
ReaderStudyResults summariseReaderStudy(const ReaderStudySession& session);

nlohmann::json toJson(const ReaderStudySession& session);
nlohmann::json toJson(const ReaderStudyResults& results);

// Atomic (a crash never leaves half a session). Throws InputError when the folder cannot be written.
void saveReaderStudy(const ReaderStudySession& session, const std::filesystem::path& file);
// Throws InputError (one line naming the file): unreadable, not a reader study, a newer version, answers
// that do not match the trials, classes out of range.
ReaderStudySession loadReaderStudy(const std::filesystem::path& file);

// One row per trial in the order shown: trial,source,image_id,seed,true_diagnosis,answer,confidence,
// reader_diagnosis,seconds,correct. Unanswered trials have empty answer fields.
std::string readerStudyCsv(const ReaderStudySession& session);

} // namespace dermgan::metrics
