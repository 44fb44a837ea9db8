#pragma once
// Small datasets made in code for the tests: no test reads images it did not write itself (except the
// HAM10000 integration test, which skips when the shared data are absent).
#include <filesystem>
#include <string>
#include <vector>

#include <QByteArray>
#include <QStringList>
#include <opencv2/core.hpp>

namespace dermgan::test {

// A w x h image of one RGB colour (PNG or JPEG by extension), parent folders created.
void writeSolidImage(const std::filesystem::path& path, int width, int height, cv::Scalar rgb);
// Encoded bytes of a solid image, e.g. for ZIP members.
std::vector<unsigned char> encodeSolidImage(const std::string& extension, int width, int height, cv::Scalar rgb);
void writeText(const std::filesystem::path& path, const std::string& text);

// One HAM10000-style row.
struct HamRow {
    std::string lesionId;
    std::string imageId;
    std::string dx;
};
// Writes images/<imageId>.jpg (a colour per dx) and HAM10000_metadata.csv for `rows`.
void writeHamDataset(const std::filesystem::path& root, const std::vector<HamRow>& rows);
// `count` lesions L0.. with one image I0.. each, their diagnoses cycling through `dx`.
std::vector<HamRow> oneImagePerLesion(int count, const std::vector<std::string>& dx);

// `dermgan train` options of a tiny network that trains in seconds: 16x16, batch 4, a few thousand
// parameters, one thread.
QStringList tinyNetworkOptions();

// Runs the dermgan CLI (DERMGAN_CLI_PATH) and waits up to five minutes; `cacheDir` sets DERMGAN_CACHE_DIR.
struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
CliRun runCli(const QStringList& arguments, const QString& cacheDir = {});

} // namespace dermgan::test
