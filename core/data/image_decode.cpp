#include "data/image_decode.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/errors.h"
#include "data/image_header.h"
#include "data/jpeg_integrity.h"

namespace dermgan {

namespace {

// OpenCV's own limit (CV_IO_MAX_IMAGE_PIXELS, raised by the OPENCV_IO_MAX_IMAGE_PIXELS environment variable,
// which takes a KB, MB or GB suffix as OpenCV reads it).
std::int64_t decoderPixelLimit()
{
    std::int64_t limit = std::int64_t(1) << 30;
    if (const char* text = std::getenv("OPENCV_IO_MAX_IMAGE_PIXELS")) {
        char* end = nullptr;
        const long long value = std::strtoll(text, &end, 10);
        const std::string suffix = end ? end : "";
        const int shift = suffix == "KB" ? 10 : suffix == "MB" ? 20 : suffix == "GB" ? 30 : suffix.empty() ? 0 : -1;
        if (value > 0 && shift >= 0 && value < (std::int64_t(1) << (62 - shift)))
            limit = value << shift;
    }
    return limit;
}

void requireDecodableSize(const std::vector<std::uint8_t>& bytes, const std::string& name)
{
    const auto size = readImageHeaderSize(bytes);
    if (!size)
        return;
    if (size->width <= 0 || size->height <= 0)
        throw InputError("image " + name + " has a header of " + std::to_string(size->width) + "x" +
                         std::to_string(size->height) + " pixels; expected a positive size (corrupt file?)");
    // Divided, not multiplied: a PNG header's two 32-bit sizes overflow an int64 product (found by fuzzing).
    if (size->width > decoderPixelLimit() / size->height) {
        char pixels[32];
        std::snprintf(pixels, sizeof pixels, "%.3g", static_cast<double>(size->width) * static_cast<double>(size->height));
        throw InputError("image " + name + " is " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                         " (" + pixels + " pixels), too large for the decoder's limit of " +
                         std::to_string(decoderPixelLimit()) + " pixels; expected a smaller image (downscale it first)");
    }
}

} // namespace

cv::Mat decodeImageRgb(const std::vector<std::uint8_t>& bytes, const std::string& name)
{
    if (bytes.empty())
        throw InputError("image " + name + " is empty (0 bytes); expected an encoded image");
    if (!hasSupportedImageSignature(bytes))
        throw InputError("image " + name + " is not a PNG, JPEG, BMP, TIFF or WebP file (its first bytes say so); "
                         "expected one of those");
    requireDecodableSize(bytes, name);
    if (const auto problem = jpegDataProblem(bytes))
        throw InputError("image " + name + " is a truncated or corrupt JPEG (" + *problem + ")");
    cv::Mat decoded;
    try {
        // Not IMREAD_UNCHANGED: that flag also skips the EXIF orientation every viewer applies. ANYDEPTH keeps
        // 16 bits (scaled below), ANYCOLOR keeps grey as one channel; alpha is dropped, as before.
        decoded = cv::imdecode(bytes, cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
    } catch (const cv::Exception&) {
        decoded.release();
    }
    if (decoded.empty())
        throw InputError("image " + name + " cannot be decoded: corrupt or not an image (expected PNG, JPEG, BMP, TIFF or WebP)");
    if (decoded.depth() == CV_16U)
        decoded.convertTo(decoded, CV_8U, 1.0 / 257.0);
    else if (decoded.depth() != CV_8U)
        throw InputError("image " + name + " has an unsupported pixel type; expected 8- or 16-bit channels");
    cv::Mat rgb;
    switch (decoded.channels()) {
    case 1: cv::cvtColor(decoded, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(decoded, rgb, cv::COLOR_BGRA2RGB); break;
    default:
        throw InputError("image " + name + " has " + std::to_string(decoded.channels()) +
                         " channels; expected 1 (grey), 3 (colour) or 4 (colour + alpha)");
    }
    return rgb;
}

cv::Mat readImageRgb(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError("image " + path.string() + " is missing or unreadable");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return decodeImageRgb(bytes, path.string());
}

cv::Mat squareCropResize(const cv::Mat& rgb, int resolution)
{
    requireSupportedImageResolution(resolution);
    const int side = std::min(rgb.cols, rgb.rows);
    const cv::Rect square((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side);
    cv::Mat resized;
    if (side == resolution)
        resized = rgb(square).clone();
    else
        cv::resize(rgb(square), resized, cv::Size(resolution, resolution), 0, 0,
                   side > resolution ? cv::INTER_AREA : cv::INTER_CUBIC);
    return resized;
}

} // namespace dermgan
