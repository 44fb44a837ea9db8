#pragma once
// Every metric `dermgan metrics` can compute, one row each, in report order: its --metrics name, what it
// reads, the values it reports (their report keys and labels) and one line of help. The CLI's option check
// and help, the Evaluate tab's table, the model card's summary and the study report's fidelity table
// enumerate this table, so a new metric is a row here plus its computation (distribution_metrics.cpp for a
// features metric), never an edit of the CLI, the GUI or the report. Torch-free, so that widget files can include it. After metric_main.py of StyleGAN2-ADA
// (a registry the CLI enumerates).
#include <optional>
#include <string>
#include <vector>

namespace dermgan::metrics {

enum class MetricInput {
    Features,  // the extractor's features of real and generated images: keys and labels name the embedding
    Pixels,    // the images themselves (the two-sample classifier test): one key for every extractor
};

// One number a metric reports. A features metric's key gets "_<extractor>" in reports ("fid" -> "fid_derm").
struct ReportedValue {
    std::string key;            // "fid", "precision", "c2st_auc"
    std::string label;          // "FID", "Precision", "C2ST AUC (0.5 = indistinguishable)"
    bool lowerIsBetter = false; // for tables that rank models (the study report's "best per column")
    int decimals = 3;           // digits after the point in tables
};

struct MetricInfo {
    std::string name;  // as --metrics takes it: "fid", "pr", "c2st"
    MetricInput input;
    bool byDefault;    // computed when --metrics is not given
    std::vector<ReportedValue> values;
    std::string help;  // what it measures, for --help
};

const std::vector<MetricInfo>& metricCatalogue();
// nullptr for an unknown name.
const MetricInfo* findMetric(const std::string& name);
// The names joined for messages and help: "fid, kid, pr, dc or c2st" (only those of `input` when given).
std::string metricNameList(std::optional<MetricInput> input = std::nullopt);
// The --metrics value that asks for every metric ("fid,kid,pr,dc,c2st"), or the default set ("fid,kid,pr,dc").
std::string metricOption(bool defaultsOnly);
// A value's key in a report computed in `extractor`'s embedding ("fid_derm"; "c2st_auc" for pixel metrics).
std::string reportKey(const MetricInfo& metric, const ReportedValue& value, const std::string& extractor);
// Its label: "FID-derm" for the bundled network, "FID (inception)" for another; pixel metrics' labels as they are.
std::string reportLabel(const MetricInfo& metric, const ReportedValue& value, const std::string& extractor);

} // namespace dermgan::metrics
