#pragma once
// Training speed as the trainer logged it (stats.jsonl, one line per tick): the study's "training speed"
// column. Medians, so that a tick slowed by a snapshot write or another process does not dominate.
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace dermgan::metrics {

struct TrainingSpeed {
    double kimg = 0;
    double wallSeconds = 0;
    double medianSecPerKimg = 0;
    double medianImagesPerSecond = 0;
    int ticks = 0;
};

// nullopt when the folder has no readable stats.jsonl.
std::optional<TrainingSpeed> readTrainingSpeed(const std::filesystem::path& runDir);
nlohmann::json toJson(const TrainingSpeed& speed);

} // namespace dermgan::metrics
