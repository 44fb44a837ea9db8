// Saved maps (the explorer's <model>.map.csv + .map.json, dermgan embed's embedding.csv + embed.json): the
// input is the CSV, a NUL byte, then the JSON summary; both belong to the tiny generator of fuzz_support.
#include <algorithm>

#include <QString>

#include "common/errors.h"
#include "fuzz_support.h"
#include "generator_session.h"
#include "map_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const auto session = [] {
        const auto model = dermgan::fuzz::scratchFolder() / "tiny.dermgan";
        dermgan::fuzz::writeTinyGenerator(model);
        auto loaded = std::make_unique<dermgan::ui::GeneratorSession>();
        loaded->load(QString::fromStdString(model.string()), QStringLiteral("cpu"));
        return loaded;
    }();
    const auto* split = std::find(data, data + size, std::uint8_t{0});
    const auto csv = dermgan::fuzz::writeScratch("map.csv", data, static_cast<std::size_t>(split - data));
    const std::size_t jsonStart = split == data + size ? size : static_cast<std::size_t>(split - data) + 1;
    dermgan::fuzz::writeScratch("map.json", data + jsonStart, size - jsonStart);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::ui::readMapFile(*session, QString::fromStdString(csv.string())))
    return 0;
}
