// Loading pixels: layout, colour order, cache hits and invalidation, corrupt images, cancellation.
#include <QtTest>

#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/image_store.h"
#include "test_support.h"

using namespace dermgan;
using namespace dermgan::test;
namespace fs = std::filesystem;

class TestImageStore : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    fs::path data() const { return fs::path(dir_->path().toStdString()) / "data"; }
    fs::path cache() const { return fs::path(dir_->path().toStdString()) / "cache"; }

    ImageLoadOptions options(int resolution = 16) const
    {
        ImageLoadOptions o;
        o.resolution = resolution;
        o.cacheDir = cache();
        o.threads = 2;
        return o;
    }

    void writeClasses()
    {
        writeSolidImage(data() / "red" / "r1.png", 40, 30, {255, 0, 0});
        writeSolidImage(data() / "red" / "r2.png", 30, 40, {255, 0, 0});
        writeSolidImage(data() / "blue" / "b1.png", 20, 20, {0, 0, 255});
    }

private Q_SLOTS:
    void init() { dir_ = std::make_unique<QTemporaryDir>(); }

    void pixelsAreRgbChwAtTheResolution()
    {
        writeClasses();
        const auto index = openDataset(data());
        const auto images = loadImages(index, options(32));
        QCOMPARE(images.pixels.sizes().vec(), (std::vector<std::int64_t>{3, 3, 32, 32}));
        QCOMPARE(images.pixels.scalar_type(), torch::kUInt8);
        for (std::size_t i = 0; i < images.size(); ++i) {
            const auto& record = index.records[images.recordIndex[i]];
            const auto image = images.pixels[static_cast<std::int64_t>(i)];
            const int red = image[0].to(torch::kInt).min().item<int>();
            const int blue = image[2].to(torch::kInt).min().item<int>();
            if (index.classNames[static_cast<std::size_t>(record.label)] == "red")
                QVERIFY(red == 255 && image[2].max().item<int>() == 0);
            else
                QVERIFY(blue == 255 && image[0].max().item<int>() == 0);
        }
    }

    void secondLoadComesFromCacheAndMatches()
    {
        writeClasses();
        const auto index = openDataset(data());
        const auto first = loadImages(index, options());
        QVERIFY(!first.fromCache);
        QVERIFY(fs::exists(first.cacheFile));
        QVERIFY(first.cacheFile.string().rfind(cache().string(), 0) == 0);
        const auto second = loadImages(index, options());
        QVERIFY(second.fromCache);
        QVERIFY(torch::equal(first.pixels, second.pixels));
        QCOMPARE(second.recordIndex, first.recordIndex);
    }

    void changedImageInvalidatesTheCache()
    {
        writeClasses();
        const auto first = loadImages(openDataset(data()), options());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        writeSolidImage(data() / "blue" / "b1.png", 24, 24, {0, 255, 0});  // now green, new size and time
        const auto index = openDataset(data());
        const auto second = loadImages(index, options());
        QVERIFY(!second.fromCache);
        QVERIFY(!torch::equal(first.pixels, second.pixels));
    }

    void truncatedCacheIsRebuilt()
    {
        writeClasses();
        const auto index = openDataset(data());
        const auto first = loadImages(index, options());
        fs::resize_file(first.cacheFile, fs::file_size(first.cacheFile) / 2);
        const auto second = loadImages(index, options());
        QVERIFY(!second.fromCache);
        QVERIFY(torch::equal(first.pixels, second.pixels));
    }

    void corruptImageStopsUnlessSkipBad()
    {
        writeClasses();
        std::ofstream(data() / "red" / "broken.png") << "garbage, not a png";
        const auto index = openDataset(data());
        try {
            loadImages(index, options());
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("broken.png") && QString(e.what()).contains("--skip-bad"), e.what());
        }
        auto skipping = options();
        skipping.skipBad = true;
        const auto images = loadImages(index, skipping);
        QCOMPARE(images.size(), std::size_t(3));
        QCOMPARE(images.skipped.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(images.skipped[0]).contains("broken"));
        // The cached result keeps the skip: without --skip-bad it still refuses.
        QVERIFY_THROWS_EXCEPTION(InputError, loadImages(index, options()));
        QVERIFY(loadImages(index, skipping).fromCache);
    }

    void progressCanCancel()
    {
        for (int i = 0; i < 40; ++i)
            writeSolidImage(data() / ("img" + std::to_string(i) + ".png"), 64, 64, {10, 20, 30});
        auto o = options();
        o.threads = 1;
        o.progress = [](const Progress&) { return false; };
        QVERIFY_THROWS_EXCEPTION(CancelledError, loadImages(openDataset(data()), o));
    }

    void badResolutionIsRefused()
    {
        writeClasses();
        // Any multiple of 16 (a 96x96 classifier); generators check their own powers of two.
        QVERIFY_THROWS_EXCEPTION(InputError, loadImages(openDataset(data()), options(40)));
        QVERIFY_THROWS_EXCEPTION(InputError, loadImages(openDataset(data()), options(8)));
        QCOMPARE(loadImages(openDataset(data()), options(48)).pixels.size(2), int64_t{48});
    }

    void modelRangeAndBatchesWithFlip()
    {
        // Left half black, right half white: a mirrored copy is white on the left.
        cv::Mat bgr(16, 16, CV_8UC3, cv::Scalar::all(0));
        bgr(cv::Rect(8, 0, 8, 16)).setTo(cv::Scalar::all(255));
        fs::create_directories(data());
        cv::imwrite((data() / "half.png").string(), bgr);
        const auto images = loadImages(openDataset(data()), options());
        const auto range = toModelRange(images.pixels);
        QCOMPARE(range.min().item<float>(), -1.0f);
        QCOMPARE(range.max().item<float>(), 1.0f);
        QVERIFY(torch::equal(toPixels(range), images.pixels));

        Rng rng(5);
        std::vector<std::int64_t> rows(64, 0);
        const auto batch = imageBatch(images, rows, true, rng);
        const auto leftColumn = batch.select(3, 0).mean({1, 2});  // per image
        const int mirrored = (leftColumn > 0).sum().item<int>();
        QVERIFY2(mirrored > 16 && mirrored < 48, qPrintable(QString::number(mirrored)));  // ~Binomial(64, 1/2)
        const auto plain = imageBatch(images, rows, false, rng);
        QCOMPARE((plain.select(3, 0).mean({1, 2}) > 0).sum().item<int>(), 0);
    }
};

QTEST_APPLESS_MAIN(TestImageStore)
#include "test_image_store.moc"
