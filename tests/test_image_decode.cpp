#include <QtTest>

#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/errors.h"
#include "data/image_decode.h"
#include "io/jpeg_encode.h"
#include "test_support.h"

using namespace dermgan;
using namespace dermgan::test;

class TestImageDecode : public QObject {
    Q_OBJECT
private:
    static void expectDecodeError(const std::vector<std::uint8_t>& bytes, const QString& fragment)
    {
        try {
            decodeImageRgb(bytes, "sample.img");
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(fragment), e.what());
            QVERIFY(QString(e.what()).contains("sample.img"));
        }
    }

private Q_SLOTS:
    void decodesToRgbOrder()
    {
        const auto rgb = decodeImageRgb(encodeSolidImage(".png", 5, 4, {250, 20, 10}), "red.png");
        QCOMPARE(rgb.channels(), 3);
        QCOMPARE(rgb.cols, 5);
        const auto pixel = rgb.at<cv::Vec3b>(1, 1);
        QCOMPARE(int(pixel[0]), 250);
        QCOMPARE(int(pixel[2]), 10);
    }

    void greyAlphaAnd16BitBecome8BitRgb_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("grey") << int(CV_8UC1);
        QTest::newRow("alpha") << int(CV_8UC4);
        QTest::newRow("16-bit") << int(CV_16UC3);
    }
    void greyAlphaAnd16BitBecome8BitRgb()
    {
        QFETCH(int, type);
        const double value = CV_MAT_DEPTH(type) == CV_16U ? 257.0 * 100 : 100;
        cv::Mat image(6, 7, type, cv::Scalar::all(value));
        std::vector<std::uint8_t> bytes;
        QVERIFY(cv::imencode(".png", image, bytes));
        const auto rgb = decodeImageRgb(bytes, "x.png");
        QCOMPARE(rgb.type(), CV_8UC3);
        QCOMPARE(int(rgb.at<cv::Vec3b>(2, 2)[1]), 100);
    }

    void corruptAndTruncatedImagesAreReported()
    {
        expectDecodeError({}, "empty");
        expectDecodeError({'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'}, "not a PNG, JPEG, BMP, TIFF or WebP");
        // Found by fuzz_image_decode: "DICM" at byte 128 sent the bytes to OpenCV's DICOM codec (GDCM), which
        // aborted the process. Only the formats dermgan reads reach the decoder.
        std::vector<std::uint8_t> dicom(128, 0x90);
        dicom.insert(dicom.end(), {'D', 'I', 'C', 'M', 0x90, 0x90, 0x90});
        expectDecodeError(dicom, "not a PNG, JPEG, BMP, TIFF or WebP");
        auto jpeg = encodeSolidImage(".jpg", 64, 64, {30, 90, 200});
        jpeg.resize(jpeg.size() / 2);
        expectDecodeError(jpeg, "truncated or corrupt JPEG");
        auto png = encodeSolidImage(".png", 64, 64, {30, 90, 200});
        png.resize(png.size() / 2);
        expectDecodeError(png, "cannot be decoded");
    }

    // Case 03 of the field reports: stored 96x64 (top red, bottom blue) with EXIF Orientation 6 (rotate 90
    // degrees clockwise to display) must read as the 64x96 image every viewer shows: left blue, right red.
    void exifOrientationIsApplied()
    {
        cv::Mat bgr(64, 96, CV_8UC3, cv::Scalar(0, 0, 255));
        bgr(cv::Rect(0, 32, 96, 32)).setTo(cv::Scalar(255, 0, 0));
        std::vector<std::uint8_t> jpeg;
        QVERIFY(cv::imencode(".jpg", bgr, jpeg));
        const std::vector<std::uint8_t> exif = {
            0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,             // APP1, length 34
            'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,                 // little-endian TIFF, IFD at 8
            0x01, 0x00,                                                   // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  // Orientation = 6
            0x00, 0x00, 0x00, 0x00};                                      // no next IFD
        jpeg.insert(jpeg.begin() + 2, exif.begin(), exif.end());
        const auto rgb = decodeImageRgb(jpeg, "rotated.jpg");
        QCOMPARE(rgb.cols, 64);
        QCOMPARE(rgb.rows, 96);
        const auto left = rgb.at<cv::Vec3b>(48, 8), right = rgb.at<cv::Vec3b>(48, 56);
        QVERIFY2(left[2] > 150 && left[0] < 100, "left half should be blue");
        QVERIFY2(right[0] > 150 && right[2] < 100, "right half should be red");
    }

    // Case 05: a valid image above the decoder's pixel limit is "too large", with its size, not "corrupt".
    void oversizedImageIsTooLargeNotCorrupt()
    {
        std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                         0x00, 0x00, 0x9C, 0x40, 0x00, 0x00, 0x75, 0x30, 8, 2, 0, 0, 0, 0, 0, 0, 0};
        expectDecodeError(png, "40000x30000");
        expectDecodeError(png, "too large");
        // The same for a TIFF (first IFD: ImageWidth 50000, ImageLength 40000, as LONGs).
        const std::vector<std::uint8_t> tiff = {'I', 'I', 0x2A, 0, 8, 0, 0, 0, 2, 0,
                                                0x00, 0x01, 4, 0, 1, 0, 0, 0, 0x50, 0xC3, 0, 0,
                                                0x01, 0x01, 4, 0, 1, 0, 0, 0, 0x40, 0x9C, 0, 0, 0, 0, 0, 0};
        expectDecodeError(tiff, "50000x40000");
        // Found by fuzz_image_decode: sizes whose product overflows an int64 (3250700737 x 3250700737).
        for (int i = 16; i < 24; ++i)
            png[static_cast<std::size_t>(i)] = 0xC1;
        expectDecodeError(png, "too large");
    }

    // Reliability campaign: half a JPEG with an end-of-image marker appended, and a JPEG whose header claims
    // 10000x10000 pixels over a few hundred bytes, decode to grey fill with only a libjpeg warning.
    void incompleteJpegDataAreRefused()
    {
        auto jpeg = encodeSolidImage(".jpg", 64, 64, {30, 90, 200});
        QVERIFY(!decodeImageRgb(jpeg, "whole.jpg").empty());
        auto halfWithEnd = jpeg;
        halfWithEnd.resize(jpeg.size() / 2);
        halfWithEnd.insert(halfWithEnd.end(), {0xFF, 0xD9});
        expectDecodeError(halfWithEnd, "truncated or corrupt JPEG");

        auto promised = jpeg;
        for (std::size_t i = 2; i + 9 < promised.size(); ++i)
            if (promised[i] == 0xFF && promised[i + 1] == 0xC0) {  // baseline SOF0: height, width at +5, +7
                promised[i + 5] = 0x27; promised[i + 6] = 0x10; promised[i + 7] = 0x27; promised[i + 8] = 0x10;
                break;
            }
        expectDecodeError(promised, "truncated or corrupt JPEG");
    }

    void cropKeepsTheCentreSquare()
    {
        // 30 x 10: a 10-wide red band each side of a 10-wide green centre; the square crop keeps only green.
        cv::Mat rgb(10, 30, CV_8UC3, cv::Scalar(255, 0, 0));
        rgb(cv::Rect(10, 0, 10, 10)).setTo(cv::Scalar(0, 255, 0));
        const auto out = squareCropResize(rgb, 16);
        QCOMPARE(out.rows, 16);
        QCOMPARE(out.cols, 16);
        for (int y = 0; y < 16; y += 5)
            for (int x = 0; x < 16; x += 5) {
                const auto p = out.at<cv::Vec3b>(y, x);
                QVERIFY2(p[1] > 200 && p[0] < 40, "only the centre square survives");
            }
    }

    void resolutionMustBeAPowerOfTwo_data()
    {
        QTest::addColumn<int>("resolution");
        QTest::addColumn<bool>("ok");
        QTest::newRow("8") << 8 << false;
        QTest::newRow("16") << 16 << true;
        QTest::newRow("48") << 48 << false;
        QTest::newRow("64") << 64 << true;
        QTest::newRow("1024") << 1024 << true;
        QTest::newRow("2048") << 2048 << false;
    }
    void resolutionMustBeAPowerOfTwo()
    {
        QFETCH(int, resolution);
        QFETCH(bool, ok);
        QCOMPARE(isSupportedResolution(resolution), ok);
        if (!ok) {
            try {
                requireSupportedResolution(resolution);
                QFAIL("expected InputError");
            } catch (const InputError& e) {
                QVERIFY(QString(e.what()).contains("power of two from 16 to 1024"));
            }
        }
    }

    // Decoded images may have any multiple of 16 (a 96x96 classifier); generators keep powers of two.
    void imageResolutionMustBeAMultipleOf16()
    {
        for (int resolution : {16, 48, 96, 1024})
            QVERIFY2(isSupportedImageResolution(resolution), qPrintable(QString::number(resolution)));
        for (int resolution : {8, 100, 2048})
            QVERIFY2(!isSupportedImageResolution(resolution), qPrintable(QString::number(resolution)));
        QVERIFY_THROWS_EXCEPTION(InputError, requireSupportedImageResolution(100));
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, readImageRgb("/nonexistent/lesion.jpg"));
    }
    void jpegEncoderKeepsEveryChromaSample()
    {
        // A 64x64 image with sharp colour edges: red / green halves over a blue gradient.
        cv::Mat rgb(64, 64, CV_8UC3);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x)
                rgb.at<cv::Vec3b>(y, x) = x < 32 ? cv::Vec3b(200, 40, static_cast<uchar>(4 * y)) : cv::Vec3b(30, 190, static_cast<uchar>(4 * y));
        const auto bytes = dermgan::encodeJpeg444(rgb, 95);
        // SOF0: 3 components, each with sampling factors 1x1 (byte 0x11): no chroma subsampling.
        std::size_t sof = 0;
        for (std::size_t i = 0; i + 1 < bytes.size(); ++i)
            if (bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2)) {
                sof = i;
                break;
            }
        QVERIFY(sof > 0);
        QCOMPARE(int(bytes[sof + 9]), 3);
        for (int c = 0; c < 3; ++c)
            QCOMPARE(int(bytes[sof + 11 + 3 * c]), 0x11);
        cv::Mat back = cv::imdecode(bytes, cv::IMREAD_COLOR);
        cv::cvtColor(back, back, cv::COLOR_BGR2RGB);
        cv::Mat difference;
        cv::absdiff(back, rgb, difference);
        const double mean = cv::mean(difference.reshape(1))[0];
        QVERIFY2(mean < 2.0, qPrintable(QString::number(mean)));
        // The colour edge stays where it was (4:2:0 would smear it across two columns).
        QVERIFY(std::abs(int(back.at<cv::Vec3b>(10, 31)[0]) - 200) < 12 && std::abs(int(back.at<cv::Vec3b>(10, 32)[0]) - 30) < 12);
        QVERIFY_THROWS_EXCEPTION(dermgan::InputError, dermgan::encodeJpeg444(rgb, 0));
        QVERIFY_THROWS_EXCEPTION(dermgan::InputError, dermgan::encodeJpeg444(cv::Mat(4, 4, CV_8UC1), 90));
    }
};

QTEST_APPLESS_MAIN(TestImageDecode)
#include "test_image_decode.moc"
