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

    // Reliability campaign: a member whose directory entry claims half (or twice) its size was read past its
    // data (and crashed a resume); the local header and the directory now have to agree.
    void directorySizesThatDisagreeWithTheDataAreRefused()
    {
        for (const double factor : {0.5, 2.0}) {
            ZipWriter writer;
            writer.add("big.bin", std::vector<std::uint8_t>(4000, 3));
            writer.add("small.bin", std::vector<std::uint8_t>(10, 4));
            writer.save(path("sizes.zip"));
            std::vector<char> bytes(fs::file_size(path("sizes.zip")));
            std::ifstream(path("sizes.zip"), std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            for (std::size_t i = 0; i + 46 < bytes.size(); ++i)
                if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2) {  // central header
                    const auto size = static_cast<std::uint32_t>(4000 * factor);
                    for (int field : {20, 24})
                        for (int b = 0; b < 4; ++b)
                            bytes[i + static_cast<std::size_t>(field + b)] = static_cast<char>((size >> (8 * b)) & 0xFF);
                    break;  // the first entry is big.bin
                }
            std::ofstream(path("sizes.zip"), std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            try {
                verifyZipMembers(path("sizes.zip"));
                QFAIL("expected InputError");
            } catch (const InputError& e) {
                QVERIFY2(QString(e.what()).contains("sizes.zip"), e.what());
            }
        }
    }

    void everyMemberIsVerified()
    {
        ZipWriter writer;
        writer.add("a.bin", std::vector<std::uint8_t>(64, 1));
        writer.add("b.bin", std::vector<std::uint8_t>(64, 2));
        writer.save(path("two.zip"));
        verifyZipMembers(path("two.zip"));
        {
            std::fstream file(path("two.zip"), std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(30 + 5 + 64 + 30 + 5 + 10);  // inside b.bin's data
            file.put(0x55);
        }
        try {
            verifyZipMembers(path("two.zip"));
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("b.bin"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestZipArchive)
#include "test_zip_archive.moc"
