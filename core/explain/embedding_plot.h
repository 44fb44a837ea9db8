#pragma once
// A 2-D map as a picture for reports: one panel per source (real, synthetic, projected) on shared axes, so
// that what one source covers and another does not shows side by side; colour is the class (the Okabe-Ito
// colour-blind-safe palette, as in the explorer's map view). OpenCV only.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace dermgan::explain {

struct PlotPoint {
    float x = 0, y = 0;
    std::string source;  // real, synthetic, projected
    int classIndex = -1; // -1 = unknown (grey)
};

// An 8-bit RGB image: a title line, the panels, and a legend of the classes present. Empty input gives a
// panel that says "no points".
cv::Mat drawEmbeddingPlot(const std::vector<PlotPoint>& points, const std::vector<std::string>& classNames,
                          const std::string& title);

} // namespace dermgan::explain
