// NumPy .npy headers and payloads (features, latents, directions, .npz members of StyleGAN2-ADA imports).
#include <torch/torch.h>

#include "common/errors.h"
#include "fuzz_support.h"
#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::vector<std::uint8_t> bytes(data, data + size);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS({
        const auto tensor = dermgan::parseNpy(bytes, "fuzz.npy");
        if (static_cast<std::size_t>(tensor.numel() * tensor.element_size()) > size)
            __builtin_trap();  // more data than the file holds
    })
    return 0;
}
