#include "io/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/png_text.h"

namespace dermgan {

cv::Mat tensorToRgbImage(const torch::Tensor& image)
{
    auto pixels = image.detach().to(torch::kCPU).add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8);
    if (pixels.size(0) == 1)
        pixels = pixels.repeat({3, 1, 1});
    pixels = pixels.permute({1, 2, 0}).contiguous();
    return cv::Mat(static_cast<int>(pixels.size(0)), static_cast<int>(pixels.size(1)), CV_8UC3, pixels.data_ptr()).clone();
}

cv::Mat tensorGrid(const torch::Tensor& images, int columns)
{
    const int n = static_cast<int>(images.size(0));
    const int h = static_cast<int>(images.size(2)), w = static_cast<int>(images.size(3));
    const int rows = (n + columns - 1) / columns;
    cv::Mat grid(rows * h, columns * w, CV_8UC3, cv::Scalar::all(0));
    for (int i = 0; i < n; ++i)
        tensorToRgbImage(images[i]).copyTo(grid(cv::Rect((i % columns) * w, (i / columns) * h, w, h)));
    return grid;
}

void writePng(const std::filesystem::path& path, const cv::Mat& rgb, const std::map<std::string, std::string>& text)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> png;
    if (!cv::imencode(".png", bgr, png))
        throw InputError("cannot encode PNG for " + path.string());
    if (!text.empty())
        png = addPngText(png, text);
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    });
}

} // namespace dermgan
