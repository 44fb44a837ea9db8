// The acquisition shifts (stress tests and augmentation), shades-of-grey colour constancy, and the
// generalisation report's scoring per stress test and subgroup, on images made in code.
#include <cmath>

#include <QtTest>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/acquisition_shifts.h"
#include "metrics/generalisation_report.h"
#include "nets/lesion_classifier.h"

using namespace dermgan;
using namespace dermgan::metrics;

namespace {

// A dark round lesion of `radius` (share of the side) on light skin, float [3, R, R] in [-1, 1].
torch::Tensor discImage(int side, double radius)
{
    const auto coords = (torch::arange(side).to(torch::kFloat32) + 0.5) / side - 0.5;
    const auto distance = torch::sqrt(coords.view({side, 1}).pow(2) + coords.view({1, side}).pow(2));
    const auto inside = (distance < radius).to(torch::kFloat32).unsqueeze(0);
    const auto skin = torch::tensor({0.6f, 0.3f, 0.25f}).view({3, 1, 1});
    const auto lesion = torch::tensor({-0.5f, -0.7f, -0.7f}).view({3, 1, 1});
    return skin * (1 - inside) + lesion * inside;
}

double darkShare(const torch::Tensor& image) { return (image.mean(0) < 0.0).to(torch::kDouble).mean().item<double>(); }

torch::Tensor toUint8(const torch::Tensor& image) { return ((image + 1) * 127.5).round().clamp(0, 255).to(torch::kUInt8); }

} // namespace

class TestGeneralisation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void colourTemperatureMovesRedAgainstBlue()
    {
        const auto grey = torch::zeros({3, 16, 16});  // 0.5 in [0, 1]
        const auto warm = shiftColourTemperature(grey, 0.3);
        QCOMPARE(warm[0].mean().item<float>(), 2 * 0.5f * 1.15f - 1);
        QCOMPARE(warm[1].mean().item<float>(), 0.0f);
        QCOMPARE(warm[2].mean().item<float>(), 2 * 0.5f * 0.85f - 1);
        QVERIFY(torch::allclose(shiftColourTemperature(grey, 0.0), grey));
    }

    void illuminationIsGainAndGamma()
    {
        const auto grey = torch::zeros({3, 8, 8});
        const auto out = shiftIllumination(grey, 0.65, 1.2);
        const float expected = 2 * 0.65f * std::pow(0.5f, 1.2f) - 1;
        QVERIFY(std::abs(out.mean().item<float>() - expected) < 1e-5f);
        // Over-exposure saturates at white, never past it.
        QCOMPARE(shiftIllumination(torch::ones({3, 8, 8}) * 0.9, 1.5, 1.0).max().item<float>(), 1.0f);
    }

    void zoomOutShrinksTheLesionAndDarkensTheCorners()
    {
        const auto image = discImage(64, 0.3);
        const auto zoomed = zoomOut(image, 0.5, 0.0);
        QCOMPARE(zoomed.sizes(), image.sizes());
        // Half the side: a quarter of the dark area; the surround is the border's skin colour (no new lesion).
        QVERIFY2(std::abs(darkShare(zoomed) - darkShare(image) / 4) < 0.015,
                 qPrintable(QString("%1 vs %2").arg(darkShare(zoomed)).arg(darkShare(image))));
        const auto vignetted = zoomOut(image, 0.5, 0.45);
        QVERIFY(vignetted[0][0][0].item<float>() < -0.9f);                  // corner near black
        QVERIFY(torch::allclose(vignetted.slice(1, 24, 40).slice(2, 24, 40), zoomed.slice(1, 24, 40).slice(2, 24, 40)));
        QVERIFY_THROWS_EXCEPTION(InputError, zoomOut(image, 1.5, 0.0));
        QVERIFY_THROWS_EXCEPTION(InputError, zoomOut(torch::zeros({3, 8, 9}), 0.5, 0.0));
    }

    void lowerResolutionRemovesFineDetailOnly()
    {
        const auto checker = ((torch::arange(32).view({32, 1}) + torch::arange(32).view({1, 32})) % 2).to(torch::kFloat32) * 2 - 1;
        const auto image = checker.unsqueeze(0).repeat({3, 1, 1});
        QVERIFY(lowerResolution(image, 2.0).std().item<float>() < 0.05f);  // single-pixel detail averages out
        const auto flat = torch::full({3, 32, 32}, 0.25f);
        QVERIFY(torch::allclose(lowerResolution(flat, 2.0), flat, 1e-5, 1e-5));
        QVERIFY_THROWS_EXCEPTION(InputError, lowerResolution(flat, 1.0));
    }

    void jpegLosesMoreAtLowQuality()
    {
        const auto lesion = discImage(32, 0.3);
        const auto error = [&](int q) { return (recompressJpeg(lesion, q) - lesion).abs().mean().item<double>(); };
        QVERIFY2(error(20) > 2 * error(95), qPrintable(QString("%1 vs %2").arg(error(20)).arg(error(95))));
        QVERIFY_THROWS_EXCEPTION(InputError, recompressJpeg(lesion, 0));
    }

    void hairsAreDarkSeededCurves()
    {
        const auto skin = discImage(64, 0.0);
        Rng a(7), b(7), none(7);
        const auto hairy = drawHairs(skin, 6, a);
        QVERIFY(torch::equal(hairy, drawHairs(skin, 6, b)));  // same stream, same hairs
        QVERIFY(torch::equal(drawHairs(skin, 0, none), skin));
        const double share = darkShare(hairy);
        QVERIFY2(share > 0.02 && share < 0.4, qPrintable(QString::number(share)));
    }

    void stressTestsAreFixedAndKeepShape()
    {
        const auto pixels = torch::stack({toUint8(discImage(32, 0.2)), toUint8(discImage(32, 0.35))});
        const auto tests = stressTests();
        QCOMPARE(static_cast<int>(tests.size()), 8);
        for (const auto& test : tests) {
            const auto once = applyStressTest(test, pixels, 3);
            QCOMPARE(once.sizes(), pixels.sizes());
            QCOMPARE(once.scalar_type(), torch::kUInt8);
            QVERIFY2(torch::equal(once, applyStressTest(test, pixels, 3)), test.name.c_str());
            QVERIFY2(!torch::equal(once, pixels), test.name.c_str());
        }
    }

    void randomAcquisitionStaysInRange()
    {
        Rng rng(11);
        const auto image = discImage(32, 0.3);
        int changed = 0;
        for (int i = 0; i < 20; ++i) {
            const auto out = randomAcquisition(image, rng);
            QCOMPARE(out.sizes(), image.sizes());
            QVERIFY(out.min().item<float>() >= -1.0f && out.max().item<float>() <= 1.0f);
            changed += torch::equal(out, image) ? 0 : 1;
        }
        QVERIFY(changed >= 15);  // about 90% of images get at least one shift
    }

    void shadesOfGreyDividesOutTheIlluminant()
    {
        torch::manual_seed(1);
        const auto unit = torch::rand({2, 3, 16, 16}) * 0.6 + 0.1;   // no clipping after the cast below
        const auto cast = unit * torch::tensor({1.3f, 1.0f, 0.7f}).view({1, 3, 1, 1});
        // The illuminant's colour goes; its brightness stays, so compare chromaticities (each image over its mean).
        const auto chroma = [](const torch::Tensor& x) {
            const auto u = (x + 1) / 2;
            return u / u.mean({1, 2, 3}, true);
        };
        const auto a = chroma(nets::shadesOfGrey(unit * 2 - 1)), b = chroma(nets::shadesOfGrey(cast * 2 - 1));
        QVERIFY2(torch::allclose(a, b, 1e-4, 1e-4), qPrintable(QString::number((a - b).abs().max().item<float>())));
        QVERIFY(!torch::allclose(chroma(unit * 2 - 1), chroma(cast * 2 - 1), 1e-2, 1e-2));
        // Afterwards the three channels have equal Minkowski p = 6 means: a grey illuminant.
        const auto m = ((nets::shadesOfGrey(cast * 2 - 1) + 1) / 2).pow(6).mean({2, 3}).pow(1.0 / 6);
        QVERIFY(torch::allclose(m.select(1, 0), m.select(1, 2), 1e-4, 1e-4));
    }

    void colourConstancyIsPartOfTheNetworkConfig()
    {
        nets::ClassifierConfig config;
        config.resolution = 16;
        config.classNames = {"mel", "nv"};
        config.widths = {8, 16};
        nlohmann::json json = config;
        QVERIFY(!json.contains("colour_constancy"));  // files of networks without it keep their bytes
        config.colourConstancy = "shades-of-grey";
        json = config;
        QCOMPARE(json.at("colour_constancy").get<std::string>(), std::string("shades-of-grey"));
        QCOMPARE(json.get<nets::ClassifierConfig>().colourConstancy, std::string("shades-of-grey"));
        config.colourConstancy = "retinex";
        QVERIFY_THROWS_EXCEPTION(InputError, config.validate());

        // The network with it is the network without it, applied to shadesOfGrey(images).
        config.colourConstancy = "none";
        torch::manual_seed(2);
        nets::LesionClassifier plain(config);
        config.colourConstancy = "shades-of-grey";
        torch::manual_seed(2);
        nets::LesionClassifier constant(config);
        plain->eval();
        constant->eval();
        const auto images = torch::rand({2, 3, 16, 16}) * 2 - 1;
        torch::NoGradGuard noGrad;
        QVERIFY(torch::allclose(constant->run(images).features, plain->run(nets::shadesOfGrey(images)).features));
        QVERIFY(!torch::allclose(constant->run(images).features, plain->run(images).features));
    }

    void framingFromPixels()
    {
        const auto small = toUint8(discImage(64, 0.12)), large = toUint8(discImage(64, 0.4));
        const auto dark = toUint8(zoomOut(discImage(64, 0.2), 0.7, 0.45));
        const auto attributes = framingAttributes(torch::stack({small, large, dark}));
        const std::vector<std::string> framing{"full field", "full field", "dark corners"};
        const std::vector<std::string> size{"small", "large", "small"};
        QCOMPARE(attributes.at("framing"), framing);
        QCOMPARE(attributes.at("lesion_size"), size);
    }

    void subgroupsAreScoredOnTheirOwnImages()
    {
        // 3 classes; group "a" is predicted perfectly, group "b" with mel and nv swapped, "c" is too small.
        const std::vector<std::string> classes{"mel", "nv", "bkl"};
        std::vector<int> labels;
        std::vector<std::string> groups;
        std::vector<torch::Tensor> rows;
        for (int i = 0; i < 120; ++i) {
            const int label = i % 2;  // mel, nv
            const std::string group = i < 60 ? "a" : i < 110 ? "b" : "c";
            const int predicted = group == "b" ? 1 - label : label;
            auto p = torch::full({3}, 0.05f);
            p[predicted] = 0.9f - 0.001f * static_cast<float>(i % 7);
            rows.push_back(p);
            labels.push_back(label);
            groups.push_back(group);
        }
        const auto probabilities = torch::stack(rows);
        const auto attribute = scoreSubgroups("site", groups, probabilities, labels, classes, 0, 30);
        QCOMPARE(attribute.groups.size(), std::size_t{2});  // "c" (10 images) pooled as "other", still too small
        QCOMPARE(attribute.leftOut, int64_t{10});
        QCOMPARE(attribute.groups[0].name, std::string("a"));
        QCOMPARE(attribute.groups[0].images, int64_t{60});
        QCOMPARE(attribute.groups[0].auc("mel_vs_nv"), 1.0);
        QCOMPARE(attribute.groups[1].name, std::string("b"));
        QCOMPARE(attribute.groups[1].auc("mel_vs_nv"), 0.0);
        QCOMPARE(attribute.groups[1].accuracy, 0.0);
        QVERIFY(std::isnan(attribute.groups[0].auc("bkl_vs_rest")));
        QVERIFY_THROWS_EXCEPTION(InputError, scoreSubgroups("site", {"a"}, probabilities, labels, classes, 0));
    }

    void worstDropNamesItsStressTest()
    {
        GeneralisationReport report;
        const auto scored = [](const std::string& name, double auc) {
            ScoredCondition c;
            c.name = name;
            BinaryAuc a;
            a.name = "mel_vs_nv";
            a.auc = auc;
            c.aucs.push_back(a);
            return c;
        };
        report.unshifted = scored("unshifted", 0.85);
        report.stress = {scored("warm_light", 0.84), scored("hairs", 0.70), scored("jpeg_q20", 0.86)};
        const auto [drop, name] = report.worstMelVsNvDrop();
        QCOMPARE(name, std::string("hairs"));
        QVERIFY(std::abs(drop - 0.15) < 1e-12);
        const auto json = toJson(report);
        QCOMPARE(json["worst_mel_vs_nv_drop"]["stress_test"].get<std::string>(), std::string("hairs"));
        QVERIFY(QString::fromStdString(toText(report)).contains("largest mel_vs_nv AUC drop: 0.150 (hairs)"));
    }
};

QTEST_GUILESS_MAIN(TestGeneralisation)
#include "test_generalisation.moc"
