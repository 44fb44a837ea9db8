// Image decoding (PNG, JPEG, BMP, TIFF, WebP through OpenCV; header sizes; libjpeg's completeness check) and
// the crop + resize every model input goes through.
#include <opencv2/core.hpp>

#include "common/errors.h"
#include "data/image_decode.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::vector<std::uint8_t> bytes(data, data + size);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS({
        const cv::Mat rgb = dermgan::decodeImageRgb(bytes, "fuzz.img");
        if (rgb.type() != CV_8UC3 || rgb.empty())
            __builtin_trap();  // the decoder promises 8-bit RGB or an InputError
        dermgan::squareCropResize(rgb, 16);
    })
    return 0;
}
