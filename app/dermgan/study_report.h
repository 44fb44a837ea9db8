#pragma once
// The study's report: one markdown page (and the same numbers as JSON) assembled from the reports its
// stages wrote, each table followed by the commands that made its numbers. Written into OUT/report/ with
// the figures it shows (synthetic sample grids and embedding plots), never a real image, so that folder
// can be shared or committed. Stages that have not run yet appear as "–".
#include <vector>

#include <nlohmann/json.hpp>

#include "study_plan.h"

namespace dermgan::cli {

// `record` is stages.json: stage name -> {command, seconds, attempts, done}.
void writeStudyReport(const StudyOptions& options, const std::vector<StudyStage>& stages, const nlohmann::json& record);

} // namespace dermgan::cli
