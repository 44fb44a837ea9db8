#include "data/image_decode.h"

#include <algorithm>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/errors.h"

namespace dermgan {

bool isSupportedResolution(int resolution)
{
    return resolution >= kMinResolution && resolution <= kMaxResolution && (resolution & (resolution - 1)) == 0;
}

void requireSupportedResolution(int resolution, const std::string& what)
{
    if (!isSupportedResolution(resolution))
        throw InputError(what + " is " + std::to_string(resolution) + "; expected a power of two from " +
                         std::to_string(kMinResolution) + " to " + std::to_string(kMaxResolution));
}

namespace {

// libjpeg decodes a truncated JPEG into a grey-filled image with only a warning, so look for the
// end-of-image marker ourselves (allowing trailing padding some cameras add).
bool jpegLooksTruncated(const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
        return false;  // not a JPEG
    const std::size_t searchFrom = bytes.size() > 4096 ? bytes.size() - 4096 : 2;
    for (std::size_t i = bytes.size() - 1; i > searchFrom; --i)
        if (bytes[i - 1] == 0xFF && bytes[i] == 0xD9)
            return false;
    return true;
}

} // namespace

cv::Mat decodeImageRgb(const std::vector<std::uint8_t>& bytes, const std::string& name)
{
    if (bytes.empty())
        throw InputError("image " + name + " is empty (0 bytes); expected an encoded image");
    if (jpegLooksTruncated(bytes))
        throw InputError("image " + name + " is a truncated JPEG (no end-of-image marker)");
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
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
    requireSupportedResolution(resolution);
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
