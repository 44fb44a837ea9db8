#include "explain/embedding_plot.h"

#include <algorithm>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace dermgan::explain {

namespace {

const cv::Scalar kPalette[] = {{230, 159, 0}, {86, 180, 233}, {0, 158, 115}, {240, 228, 66},
                               {0, 114, 178}, {213, 94, 0},   {204, 121, 167}, {0, 0, 0}};
const cv::Scalar kUnknown{150, 150, 150};
const cv::Scalar kInk{30, 30, 30};
constexpr int kPanel = 480;   // square plotting area per source
constexpr int kMargin = 24;
constexpr int kTitle = 40;
constexpr int kCaption = 28;  // source name above each panel
constexpr int kLegend = 36;
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

cv::Scalar colourOf(int classIndex)
{
    return classIndex >= 0 ? kPalette[classIndex % 8] : kUnknown;
}

} // namespace

cv::Mat drawEmbeddingPlot(const std::vector<PlotPoint>& points, const std::vector<std::string>& classNames,
                          const std::string& title)
{
    std::vector<std::string> sources;
    for (const char* known : {"real", "synthetic", "projected"})
        if (std::any_of(points.begin(), points.end(), [&](const PlotPoint& p) { return p.source == known; }))
            sources.push_back(known);
    for (const auto& p : points)
        if (std::find(sources.begin(), sources.end(), p.source) == sources.end())
            sources.push_back(p.source);
    const int panels = std::max<int>(1, static_cast<int>(sources.size()));
    const int width = kMargin + panels * (kPanel + kMargin);
    const int height = kTitle + kCaption + kPanel + kMargin + kLegend;
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(image, title, {kMargin, 28}, kFont, 0.6, kInk, 1, cv::LINE_AA);

    // Shared axes: the bounding box of all points, padded by 4 %, same scale on x and y.
    float minX = std::numeric_limits<float>::max(), maxX = -minX, minY = minX, maxY = -minX;
    for (const auto& p : points) {
        minX = std::min(minX, p.x);
        maxX = std::max(maxX, p.x);
        minY = std::min(minY, p.y);
        maxY = std::max(maxY, p.y);
    }
    const float span = std::max({maxX - minX, maxY - minY, 1e-6f}) * 1.08f;
    const float centreX = (minX + maxX) / 2, centreY = (minY + maxY) / 2;

    for (int k = 0; k < panels; ++k) {
        const int left = kMargin + k * (kPanel + kMargin);
        const int top = kTitle + kCaption;
        const cv::Rect frame(left, top, kPanel, kPanel);
        cv::rectangle(image, frame, cv::Scalar(200, 200, 200), 1);
        if (sources.empty()) {
            cv::putText(image, "no points", {left + kPanel / 2 - 45, top + kPanel / 2}, kFont, 0.6, kInk, 1, cv::LINE_AA);
            continue;
        }
        long count = 0;
        cv::Mat overlay = image.clone();
        for (const auto& p : points) {
            if (p.source != sources[static_cast<std::size_t>(k)])
                continue;
            ++count;
            const int x = left + static_cast<int>((0.5f + (p.x - centreX) / span) * kPanel);
            const int y = top + static_cast<int>((0.5f - (p.y - centreY) / span) * kPanel);  // y up
            cv::circle(overlay, {x, y}, 3, colourOf(p.classIndex), cv::FILLED, cv::LINE_AA);
        }
        cv::addWeighted(overlay, 0.75, image, 0.25, 0, image);  // overlapping points stay visible
        cv::putText(image, sources[static_cast<std::size_t>(k)] + " (" + std::to_string(count) + ")", {left, kTitle + 18},
                    kFont, 0.55, kInk, 1, cv::LINE_AA);
    }

    int x = kMargin;
    const int y = height - kLegend / 2;
    for (std::size_t c = 0; c < classNames.size(); ++c) {
        if (std::none_of(points.begin(), points.end(), [&](const PlotPoint& p) { return p.classIndex == static_cast<int>(c); }))
            continue;
        cv::circle(image, {x + 5, y - 4}, 5, colourOf(static_cast<int>(c)), cv::FILLED, cv::LINE_AA);
        cv::putText(image, classNames[c], {x + 14, y}, kFont, 0.5, kInk, 1, cv::LINE_AA);
        int baseline = 0;
        x += 30 + cv::getTextSize(classNames[c], kFont, 0.5, 1, &baseline).width;
    }
    return image;
}

} // namespace dermgan::explain
