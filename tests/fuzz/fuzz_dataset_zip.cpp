// StyleGAN2-ADA dataset archives: the ZIP container (libzip), dataset.json, member names, and decoding the
// members as the image store does.
#include "common/errors.h"
#include "data/dataset.h"
#include "data/image_decode.h"
#include "fuzz_support.h"
#include "io/zip_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto path = dermgan::fuzz::writeScratch("dataset.zip", data, size);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS({
        const auto index = dermgan::openDataset(path);
        const dermgan::ZipArchive archive(path);
        for (std::size_t i = 0; i < index.records.size() && i < 4; ++i)
            DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(
                dermgan::decodeImageRgb(archive.read(index.records[i].location), index.records[i].location))
    })
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::verifyZipMembers(path))
    return 0;
}
