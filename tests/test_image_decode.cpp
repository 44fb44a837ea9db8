#include <QtTest>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "common/errors.h"
#include "data/image_decode.h"
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
        expectDecodeError({'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'}, "cannot be decoded");
        auto jpeg = encodeSolidImage(".jpg", 64, 64, {30, 90, 200});
        jpeg.resize(jpeg.size() / 2);
        expectDecodeError(jpeg, "truncated JPEG");
        auto png = encodeSolidImage(".png", 64, 64, {30, 90, 200});
        png.resize(png.size() / 2);
        expectDecodeError(png, "cannot be decoded");
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

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, readImageRgb("/nonexistent/lesion.jpg"));
    }
};

QTEST_APPLESS_MAIN(TestImageDecode)
#include "test_image_decode.moc"
