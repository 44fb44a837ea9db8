#include "test_support.h"

#include <fstream>
#include <functional>
#include <stdexcept>

#include <QProcess>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace dermgan::test {

namespace fs = std::filesystem;

namespace {
cv::Mat solidBgr(int width, int height, cv::Scalar rgb)
{
    return cv::Mat(height, width, CV_8UC3, cv::Scalar(rgb[2], rgb[1], rgb[0]));
}
} // namespace

void writeSolidImage(const fs::path& path, int width, int height, cv::Scalar rgb)
{
    fs::create_directories(path.parent_path());
    if (!cv::imwrite(path.string(), solidBgr(width, height, rgb)))
        throw std::runtime_error("test could not write " + path.string());
}

std::vector<unsigned char> encodeSolidImage(const std::string& extension, int width, int height, cv::Scalar rgb)
{
    std::vector<unsigned char> bytes;
    cv::imencode(extension, solidBgr(width, height, rgb), bytes);
    return bytes;
}

void writeText(const fs::path& path, const std::string& text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<HamRow> oneImagePerLesion(int count, const std::vector<std::string>& dx)
{
    std::vector<HamRow> rows;
    for (int i = 0; i < count; ++i)
        rows.push_back({"L" + std::to_string(i), "I" + std::to_string(i), dx[static_cast<std::size_t>(i) % dx.size()]});
    return rows;
}

QStringList tinyNetworkOptions()
{
    return {"--resolution", "16", "--batch", "4", "--cbase", "128", "--cmax", "16", "--z-dim", "16", "--w-dim", "16",
            "--threads", "1"};
}

void writeHamDataset(const fs::path& root, const std::vector<HamRow>& rows)
{
    std::string csv = "lesion_id,image_id,dx,dx_type,age,sex,localization\n";
    for (const auto& row : rows) {
        const auto shade = static_cast<double>(std::hash<std::string>{}(row.dx) % 200);
        writeSolidImage(root / "images" / (row.imageId + ".jpg"), 40, 30, cv::Scalar(shade, 255 - shade, 90));
        csv += row.lesionId + "," + row.imageId + "," + row.dx + ",histo,50.0,female,back\n";
    }
    writeText(root / "HAM10000_metadata.csv", csv);
}

CliRun runCli(const QStringList& arguments, const QString& cacheDir)
{
    QProcess process;
    auto environment = QProcessEnvironment::systemEnvironment();
    if (!cacheDir.isEmpty())
        environment.insert("DERMGAN_CACHE_DIR", cacheDir);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DERMGAN_CLI_PATH), arguments);
    if (!process.waitForFinished(300000))
        return {};
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace dermgan::test
