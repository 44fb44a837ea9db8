#include <QtTest>

#include <fstream>

#include "common/errors.h"
#include "io/zip_archive.h"

using namespace dermgan;
namespace fs = std::filesystem;

class TestZipArchive : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    fs::path path(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

    void expectError(const fs::path& file, const QString& fragment)
    {
        try {
            ZipArchive archive(file);
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(fragment), e.what());
        }
    }

private Q_SLOTS:
    void writtenMembersReadBack()
    {
        ZipWriter writer;
        std::vector<std::uint8_t> binary(5000);
        for (std::size_t i = 0; i < binary.size(); ++i)
            binary[i] = static_cast<std::uint8_t>(i * 7);
        writer.add("00000/img00000000.png", binary);
        writer.add("dataset.json", std::string("{\"labels\": null}"));
        writer.save(path("a.zip"));

        ZipArchive archive(path("a.zip"));
        QCOMPARE(archive.names(), (std::vector<std::string>{"00000/img00000000.png", "dataset.json"}));
        QVERIFY(archive.read("00000/img00000000.png") == binary);
        const auto json = archive.read("dataset.json");
        QCOMPARE(std::string(json.begin(), json.end()), std::string("{\"labels\": null}"));
        QVERIFY_THROWS_EXCEPTION(InputError, archive.read("missing.png"));
    }

    void notAZip() 
    {
        std::ofstream(path("text.zip")) << "this is not a zip archive at all, just some text";
        expectError(path("text.zip"), "not a ZIP archive");
        expectError(path("missing.zip"), "missing");
    }

    void truncatedZip()
    {
        ZipWriter writer;
        writer.add("x.png", std::vector<std::uint8_t>(3000, 1));
        writer.save(path("full.zip"));
        const auto size = fs::file_size(path("full.zip"));
        fs::copy_file(path("full.zip"), path("cut.zip"));
        fs::resize_file(path("cut.zip"), size - 30);  // the end record is gone
        expectError(path("cut.zip"), "ZIP");
    }

    void corruptMemberFailsCrc()
    {
        ZipWriter writer;
        writer.add("x.bin", std::vector<std::uint8_t>(100, 9));
        writer.save(path("crc.zip"));
        {
            std::fstream file(path("crc.zip"), std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(30 + 5 + 10);  // inside the member's data
            file.put(0x55);
        }
        ZipArchive archive(path("crc.zip"));
        try {
            archive.read("x.bin");
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("CRC"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestZipArchive)
#include "test_zip_archive.moc"
