// The JSON files dermgan reads besides datasets and maps: direction files, explorer states (latent recipes,
// checked against a 7-class model) and reader study sessions (then summarised and written as CSV, as
// `dermgan reader-study` does). The first byte picks the reader, the rest is the file. (The
// StyleGAN2-ADA import config is fuzzed inside .npz files by fuzz_model_archive.)
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "explain/latent_directions.h"
#include "explain/latent_recipe.h"
#include "fuzz_support.h"
#include "metrics/reader_study.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 3) {
    case 0: {
        const auto path = dermgan::fuzz::writeScratch("directions.json", data + 1, size - 1);
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::explain::loadDirections(path, ""))
        break;
    }
    case 2: {
        const auto path = dermgan::fuzz::writeScratch("study.json", data + 1, size - 1);
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS({
            const auto session = dermgan::metrics::loadReaderStudy(path);
            dermgan::metrics::toJson(dermgan::metrics::summariseReaderStudy(session)).dump();
            dermgan::metrics::readerStudyCsv(session);
        })
        break;
    }
    default: {
        const auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_discarded())
            break;
        DERMGAN_FUZZ_EXPECT_INPUT_ERRORS({
            const auto recipe = dermgan::explain::recipeFromJson(json);
            dermgan::explain::requireRenderable(recipe, 7, 10, 256);
        })
    }
    }
    return 0;
}
