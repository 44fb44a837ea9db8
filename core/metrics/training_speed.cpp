#include "metrics/training_speed.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace dermgan::metrics {

namespace {

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

} // namespace

std::optional<TrainingSpeed> readTrainingSpeed(const std::filesystem::path& runDir)
{
    std::ifstream in(runDir / "stats.jsonl");
    if (!in)
        return std::nullopt;
    TrainingSpeed speed;
    std::vector<double> secPerKimg, imagesPerSecond;
    std::string line;
    while (std::getline(in, line)) {
        const auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_discarded() || !json.is_object())
            continue;  // a line cut by a kill: ignore
        secPerKimg.push_back(json.value("sec_per_kimg", 0.0));
        imagesPerSecond.push_back(json.value("images_per_sec", 0.0));
        speed.kimg = std::max(speed.kimg, json.value("kimg", 0.0));
        speed.wallSeconds = std::max(speed.wallSeconds, json.value("wall_seconds", 0.0));
        ++speed.ticks;
    }
    if (speed.ticks == 0)
        return std::nullopt;
    speed.medianSecPerKimg = median(secPerKimg);
    speed.medianImagesPerSecond = median(imagesPerSecond);
    return speed;
}

nlohmann::json toJson(const TrainingSpeed& speed)
{
    return {{"kimg", speed.kimg},
            {"wall_seconds", speed.wallSeconds},
            {"median_sec_per_kimg", speed.medianSecPerKimg},
            {"median_images_per_sec", speed.medianImagesPerSecond},
            {"ticks", speed.ticks}};
}

} // namespace dermgan::metrics
