// Metadata tables (CSV, TSV, .tab, semicolons; HAM10000, ISIC 2018-2020 layouts) and the dataset detection
// that chooses between them: the input is one table in a folder with one image.
#include "common/errors.h"
#include "data/csv_table.h"
#include "data/dataset.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace fs = std::filesystem;
    static const fs::path folder = [] {
        const auto path = dermgan::fuzz::scratchFolder() / "tables";
        fs::create_directories(path / "images");
        const std::uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        dermgan::fuzz::writeScratch("tables/images/ISIC_0000000.png", png, sizeof png);
        return path;
    }();
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::CsvTable::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv"))
    dermgan::fuzz::writeScratch("tables/metadata.csv", data, size);
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::openDataset(folder))
    dermgan::ReadOptions lenient;
    lenient.skipBad = true;
    lenient.dropEmptyClasses = true;
    DERMGAN_FUZZ_EXPECT_INPUT_ERRORS(dermgan::openDataset(folder, lenient))
    return 0;
}
