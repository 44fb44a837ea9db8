// The lesion classifier (training, augmentation, file round trip) and the feature extractors (bundled-style
// .dermnet, user TorchScript, the feature cache).
#include <fstream>
#include <filesystem>

#include <QTemporaryDir>
#include <QtTest>

#include <torch/script.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "io/tagged_archive.h"
#include "metrics/classifier_training.h"
#include "metrics/feature_cache.h"
#include "metrics/feature_extractor.h"
#include "model/classifier_file.h"

using namespace dermgan;
using namespace dermgan::metrics;
namespace fs = std::filesystem;

namespace {

// Two colour classes with pixel noise: reddish vs bluish 16x16 images.
LabelledPixels colourClasses(int perClass, std::uint64_t seed)
{
    torch::manual_seed(seed);
    LabelledPixels set;
    std::vector<torch::Tensor> images;
    for (int i = 0; i < 2 * perClass; ++i) {
        const int label = i % 2;
        auto base = label == 0 ? torch::tensor({200, 60, 60}) : torch::tensor({60, 60, 200});
        auto image = base.view({3, 1, 1}).to(torch::kFloat) + torch::randn({3, 16, 16}) * 30;
        images.push_back(image.clamp(0, 255).to(torch::kUInt8));
        set.labels.push_back(label);
    }
    set.pixels = torch::stack(images);
    return set;
}

nets::ClassifierConfig tinyConfig()
{
    nets::ClassifierConfig config;
    config.resolution = 16;
    config.classNames = {"red", "blue"};
    config.widths = {8, 16};
    return config;
}

} // namespace

class TestClassifier : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path path(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase() { qputenv("DERMGAN_CACHE_DIR", QFile::encodeName(dir_.filePath("cache"))); }

    void augmentationKeepsShapeAndRange()
    {
        Rng rng(1);
        const auto images = torch::rand({5, 3, 16, 16}) * 2 - 1;
        const auto out = augmentLesions(images, rng);
        QCOMPARE(out.sizes(), images.sizes());
        QVERIFY(out.min().item<float>() >= -1.0f && out.max().item<float>() <= 1.0f);
        QVERIFY(!torch::equal(out, images));
    }

    void learnsSeparableClassesAndRoundTrips()
    {
        ClassifierTrainingOptions options;
        options.epochs = 4;
        options.batch = 16;
        options.learningRate = 5e-3;
        int epochs = 0;
        auto trained = trainClassifier(tinyConfig(), colourClasses(64, 1), colourClasses(16, 2), options,
                                       [&](const EpochStats&) { return ++epochs < 100; });
        QCOMPARE(static_cast<int>(trained.history.size()), 4);
        const auto test = colourClasses(20, 3);
        const auto probs = predictProbabilities(trained.model, test.pixels);
        const double accuracy = (probs.argmax(1) == torch::tensor(std::vector<int64_t>(test.labels.begin(), test.labels.end())))
                                    .to(torch::kDouble).mean().item<double>();
        QVERIFY2(accuracy >= 0.95, qPrintable(QString::number(accuracy)));

        saveClassifier(trained.model, {{"note", "test"}}, path("tiny.dermnet"));
        auto loaded = loadClassifier(path("tiny.dermnet"), torch::kCPU);
        QCOMPARE(loaded.card["note"].get<std::string>(), std::string("test"));
        QVERIFY(torch::equal(predictProbabilities(loaded.network, test.pixels), probs));

        // As a feature extractor: the pooled penultimate features.
        auto extractor = openFeatureExtractor(path("tiny.dermnet").string(), torch::kCPU);
        QCOMPARE(extractor->name(), std::string("derm"));
        const auto features = extractor->extract(test.pixels);
        QCOMPARE(features.sizes(), (std::vector<int64_t>{40, 16}));
    }

    void colourConstancyFilesAreVersion2()
    {
        // Without colour constancy the file stays version 1 (a version-1 reader opens it); with it, version 2,
        // which a version-1 reader refuses instead of computing other features in silence.
        auto config = tinyConfig();
        nets::LesionClassifier plain(config);
        saveClassifier(plain, {}, path("plain.dermnet"));
        openTaggedArchive(path("plain.dermnet"), "dermgan-classifier", 1, "classifier");
        config.colourConstancy = "shades-of-grey";
        nets::LesionClassifier constant(config);
        saveClassifier(constant, {}, path("constant.dermnet"));
        try {
            openTaggedArchive(path("constant.dermnet"), "dermgan-classifier", 1, "classifier");
            QFAIL("a version-1 reader opened a colour-constancy classifier");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("upgrade dermgan"), e.what());
        }
        QCOMPARE(loadClassifier(path("constant.dermnet"), torch::kCPU).network->config.colourConstancy,
                 std::string("shades-of-grey"));
    }

    void badFilesAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, loadClassifier(path("missing.dermnet"), torch::kCPU));
        {
            std::ofstream out(path("junk.dermnet"));
            out << "not an archive";
        }
        try {
            loadClassifier(path("junk.dermnet"), torch::kCPU);
            QFAIL("a junk file was accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("not a dermgan classifier"));
        }
        QVERIFY_THROWS_EXCEPTION(InputError, openFeatureExtractor(path("nothing.pt").string(), torch::kCPU));

        // A newer file is refused in one line; a version-1 file with colour constancy (two development builds
        // wrote those) opens with it, as it did before versions were read.
        auto config = tinyConfig();
        config.colourConstancy = "shades-of-grey";
        nets::LesionClassifier network(config);
        for (const int version : {3, 1}) {
            torch::serialize::OutputArchive archive;
            writeFormatTag(archive, "dermgan-classifier", version);
            writeJsonEntry(archive, "config", network->config);
            writeJsonEntry(archive, "card", nlohmann::json::object());
            torch::serialize::OutputArchive weights;
            network->save(weights);
            archive.write("weights", weights);
            const std::string name = "v" + std::to_string(version) + ".dermnet";
            const auto file = path(name.c_str());
            saveArchive(archive, {file});
            if (version == 1) {
                QCOMPARE(loadClassifier(file, torch::kCPU).network->config.colourConstancy, std::string("shades-of-grey"));
                continue;
            }
            try {
                loadClassifier(file, torch::kCPU);
                QFAIL("a version-3 classifier was accepted");
            } catch (const InputError& e) {
                QVERIFY2(QString(e.what()).contains("format version 3; this dermgan reads up to 2 (upgrade dermgan)") &&
                             !QString(e.what()).contains('\n'),
                         e.what());
            }
        }
        config.colourConstancy = "none";  // the same file without it is an ordinary version-1 classifier
        nets::LesionClassifier plain(config);
        saveClassifier(plain, {}, path("v1-plain.dermnet"));
        QCOMPARE(loadClassifier(path("v1-plain.dermnet"), torch::kCPU).network->config.colourConstancy, std::string("none"));
    }

    void userTorchScriptExtractor()
    {
        // A module with the reference Inception's calling convention: uint8 NCHW in, return_features flag.
        torch::jit::Module module("FakeInception");
        module.define(R"(
def forward(self, x, return_features: bool = False):
    y = x.float().mean(dim=[2, 3])
    if return_features:
        return torch.cat([y, y * 2.0], dim=1)
    return y
)");
        module.save(path("inception-test.pt").string());
        auto extractor = openFeatureExtractor(path("inception-test.pt").string(), torch::kCPU);
        QCOMPARE(extractor->name(), std::string("inception"));
        const auto pixels = torch::full({3, 3, 8, 8}, 10, torch::kUInt8);
        const auto features = extractor->extract(pixels);
        QCOMPARE(features.sizes(), (std::vector<int64_t>{3, 6}));
        QCOMPARE(features[0][0].item<float>(), 10.0f);
        QCOMPARE(features[0][3].item<float>(), 20.0f);
    }

    void featureCacheSkipsRecomputation()
    {
        auto extractor = openFeatureExtractor(path("tiny.dermnet").string(), torch::kCPU);
        const auto pixels = colourClasses(4, 5).pixels;
        int decoded = 0;
        const auto source = [&] { ++decoded; return pixels; };
        const auto first = cachedFeatures(*extractor, "pixels " + tensorHash(pixels), source);
        const auto second = cachedFeatures(*extractor, "pixels " + tensorHash(pixels), source);
        QCOMPARE(decoded, 1);
        QVERIFY(torch::equal(first, second));
        // Other pixels, other key.
        QVERIFY(tensorHash(pixels) != tensorHash(pixels + 1));
    }
};

QTEST_GUILESS_MAIN(TestClassifier)
#include "test_classifier.moc"
