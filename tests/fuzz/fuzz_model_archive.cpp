// Model files: .dermgan snapshots and exports (LibTorch archives in a ZIP, checked by libzip first) and
// StyleGAN2-ADA imports (.npz). The first byte picks the extension, the rest is the file.
#include <c10/core/Device.h>

#include "common/errors.h"
#include "fuzz_support.h"
#include "model/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const auto path = dermgan::fuzz::writeScratch(data[0] % 2 ? "model.npz" : "model.dermgan", data + 1, size - 1);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::loadGeneratorModel(path, c10::Device(c10::kCPU)))
    return 0;
}
