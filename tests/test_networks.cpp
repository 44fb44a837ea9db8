// The StyleGAN2 networks on tiny configurations: shapes, reference parameter names, equalised learning
// rate, demodulation, conditioning, fused == non-fused, resampling gains, truncation.
#include <QtTest>

#include <set>

#include <torch/torch.h>

#include "nets/discriminator.h"
#include "nets/generator.h"
#include "nets/resample.h"
#include "nets/transposed_conv.h"

using namespace dermgan::nets;

namespace {

NetworkConfig tiny(int resolution = 16, int classes = 0)
{
    NetworkConfig config;
    config.resolution = resolution;
    config.classCount = classes;
    config.zDim = 32;
    config.wDim = 32;
    config.channelBase = 256;
    config.channelMax = 32;
    return config;
}

std::set<std::string> names(torch::nn::Module& module)
{
    std::set<std::string> all;
    for (const auto& item : module.named_parameters())
        all.insert(item.key());
    for (const auto& item : module.named_buffers())
        all.insert(item.key());
    return all;
}

} // namespace

class TestNetworks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void shapes_data()
    {
        QTest::addColumn<int>("resolution");
        QTest::addColumn<int>("classes");
        QTest::newRow("16 uncond") << 16 << 0;
        QTest::newRow("32 cond") << 32 << 7;
    }
    void shapes()
    {
        QFETCH(int, resolution);
        QFETCH(int, classes);
        Generator g(tiny(resolution, classes));
        Discriminator d(tiny(resolution, classes));
        QCOMPARE(g->synthesis->numWs, tiny(resolution).numWs());
        QCOMPARE(g->synthesis->numWs, resolution == 16 ? 6 : 8);
        const auto c = oneHot({0, 1, 2, 3, 4, 5}, classes, torch::TensorOptions());
        const auto img = g->forward(torch::randn({6, 32}), c);
        QCOMPARE(img.sizes().vec(), (std::vector<int64_t>{6, 3, resolution, resolution}));
        const auto logits = d->forward(img, c);
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{6, 1}));
        QVERIFY(torch::isfinite(logits).all().item<bool>());
    }

    void namesMatchTheReference()
    {
        Generator g(tiny(16, 3));
        const auto gNames = names(*g);
        for (const char* name : {"mapping.fc0.weight", "mapping.fc1.bias", "mapping.embed.weight", "mapping.w_avg",
                                 "synthesis.b4.const", "synthesis.b4.conv1.affine.weight", "synthesis.b4.conv1.noise_const",
                                 "synthesis.b4.conv1.noise_strength", "synthesis.b8.conv0.weight",
                                 "synthesis.b16.torgb.affine.bias", "synthesis.b16.resample_filter"})
            QVERIFY2(gNames.count(name), name);
        QVERIFY(!gNames.count("synthesis.b4.conv0.weight"));
        Discriminator d(tiny(16, 3));
        const auto dNames = names(*d);
        for (const char* name : {"b16.fromrgb.weight", "b16.conv0.weight", "b16.conv1.bias", "b16.skip.weight",
                                 "b8.conv0.weight", "b4.conv.weight", "b4.fc.weight", "b4.out.weight",
                                 "mapping.embed.weight", "mapping.fc7.weight"})
            QVERIFY2(dNames.count(name), name);
        QVERIFY(!dNames.count("b8.fromrgb.weight"));
        QVERIFY(!dNames.count("b16.skip.bias"));
    }

    void equalisedLearningRateScalesWeights()
    {
        FullyConnectedLayer fc(400, 300, Activation::Linear, 0.01);
        QVERIFY(std::abs(fc->weightGain - 0.01 / 20.0) < 1e-12);
        // Stored weights are N(0, 1/lr^2) so that the effective weight is N(0, 1/fan_in): unit gain.
        QVERIFY(std::abs(fc->weight.std().item<double>() * 0.01 - 1.0) < 0.02);
        torch::NoGradGuard noGrad;
        const auto y = fc->forward(torch::randn({2000, 400}));
        QVERIFY2(std::abs(y.var().item<double>() - 1.0) < 0.1, qPrintable(QString::number(y.var().item<double>())));
    }

    void demodulationKeepsUnitVariance()
    {
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({8, 32, 16, 16});
        const auto weight = torch::randn({48, 32, 3, 3}) * 5.0;
        const auto styles = torch::rand({8, 32}) * 10.0 + 0.1;  // wildly scaled styles
        const auto y = modulatedConv2d(x, weight, styles, torch::Tensor(), 1, 1, setupFilter(), true, true, false);
        // Interior pixels only: zero padding lowers the variance at the border.
        const auto interior = y.slice(2, 1, 15).slice(3, 1, 15);
        QVERIFY2(std::abs(interior.var().item<double>() - 1.0) < 0.1,
                 qPrintable(QString::number(interior.var().item<double>())));
        const auto raw = modulatedConv2d(x, weight, styles, torch::Tensor(), 1, 1, setupFilter(), false, true, false);
        QVERIFY(raw.var().item<double>() > 50.0);  // without demodulation the scale runs away
    }

    void fusedEqualsNonFused_data()
    {
        QTest::addColumn<int>("up");
        QTest::newRow("same resolution") << 1;
        QTest::newRow("upsampling") << 2;
    }
    void fusedEqualsNonFused()
    {
        QFETCH(int, up);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({3, 8, 8, 8});
        const auto weight = torch::randn({6, 8, 3, 3});
        const auto styles = torch::randn({3, 8});
        const auto noise = torch::randn({3, 1, 8 * up, 8 * up});
        const auto filter = setupFilter();
        const auto a = modulatedConv2d(x, weight, styles, noise, up, 1, filter, true, up == 1, false);
        const auto b = modulatedConv2d(x, weight, styles, noise, up, 1, filter, true, up == 1, true);
        QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{3, 6, 8 * up, 8 * up}));
        QVERIFY((a - b).abs().max().item<double>() < 1e-4);
    }

    void resamplingPreservesFlatImages()
    {
        const auto flat = torch::full({1, 2, 8, 8}, 0.7);
        const auto filter = setupFilter();
        const auto up = upsample2d(flat, filter);
        QCOMPARE(up.sizes().vec(), (std::vector<int64_t>{1, 2, 16, 16}));
        QVERIFY((up.slice(2, 2, 14).slice(3, 2, 14) - 0.7).abs().max().item<double>() < 1e-5);
        const auto down = downsample2d(flat, filter);
        QCOMPARE(down.sizes().vec(), (std::vector<int64_t>{1, 2, 4, 4}));
        QVERIFY((down.slice(2, 1, 3).slice(3, 1, 3) - 0.7).abs().max().item<double>() < 1e-5);
        // A strided 3x3 convolution with downsampling halves the size, as the discriminator needs.
        const auto w = torch::randn({4, 2, 3, 3});
        QCOMPARE(conv2dResample(flat, w, filter, 1, 2, 1).sizes().vec(), (std::vector<int64_t>{1, 4, 4, 4}));
        QCOMPARE(conv2dResample(flat, w, filter, 2, 1, 1).sizes().vec(), (std::vector<int64_t>{1, 4, 16, 16}));
    }

    void oneDnnTransposedConvolutionEqualsConvTranspose2d_data()
    {
        QTest::addColumn<int>("padding");
        QTest::addColumn<int>("groups");
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("plain") << 0 << 1 << false;
        QTest::newRow("channels-last") << 0 << 1 << true;
        QTest::newRow("padded, grouped") << 1 << 2 << false;
    }

    // The generator's upsampling layers: same values, first and second derivatives as conv_transpose2d.
    void oneDnnTransposedConvolutionEqualsConvTranspose2d()
    {
        QFETCH(int, padding);
        QFETCH(int, groups);
        QFETCH(bool, channelsLast);
        namespace F = torch::nn::functional;
        auto x = torch::randn({3, 4, 5, 5});
        if (channelsLast)
            x = x.contiguous(at::MemoryFormat::ChannelsLast);
        x.requires_grad_(true);
        const auto w = torch::randn({4, 6 / groups, 3, 3}).requires_grad_(true);
        const auto plain = [&](const torch::Tensor& a, const torch::Tensor& b) {
            return F::conv_transpose2d(a, b, F::ConvTranspose2dFuncOptions().stride(2).padding(padding).groups(groups));
        };
        const auto ours = [&](const torch::Tensor& a, const torch::Tensor& b) {
            return transposedConv2d(a, b, {2, 2}, {padding, padding}, groups);
        };
        const auto expected = plain(x, w), actual = ours(x, w);
        QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
        QVERIFY((actual - expected).abs().max().item<double>() < 1e-4);

        // First derivatives, kept differentiable, then a second derivative through both (as R1 / path length).
        const auto upstream = torch::randn_like(expected);
        auto gradients = [&](const torch::Tensor& y) {
            return torch::autograd::grad({(y * upstream).sum()}, {x, w}, {}, true, true);
        };
        const auto ge = gradients(expected), ga = gradients(actual);
        for (int i = 0; i < 2; ++i)
            QVERIFY2((ga[static_cast<std::size_t>(i)] - ge[static_cast<std::size_t>(i)]).abs().max().item<double>() < 1e-4,
                     i == 0 ? "input gradient" : "weight gradient");
        const auto second = [&](const std::vector<torch::Tensor>& g) {
            return torch::autograd::grad({g[0].square().sum() + g[1].square().sum()}, {x, w});
        };
        const auto se = second(ge), sa = second(ga);
        for (int i = 0; i < 2; ++i) {
            const auto scale = se[static_cast<std::size_t>(i)].abs().max().item<double>();
            QVERIFY(scale > 0);
            QVERIFY2((sa[static_cast<std::size_t>(i)] - se[static_cast<std::size_t>(i)]).abs().max().item<double>() < 1e-4 * scale,
                     i == 0 ? "second derivative, input" : "second derivative, weight");
        }
        // Without a graph wanted, the fast path still gives the plain gradients.
        const auto fast = torch::autograd::grad({(ours(x, w) * upstream).sum()}, {x, w});
        QVERIFY((fast[0] - ge[0]).abs().max().item<double>() < 1e-4);
        QVERIFY((fast[1] - ge[1]).abs().max().item<double>() < 1e-4);
    }

    void conditionalGeneratorHonoursTheClass()
    {
        torch::NoGradGuard noGrad;
        Generator g(tiny(16, 4));
        const auto z = torch::randn({1, 32}).repeat({4, 1});
        const auto images = g->forward(z, oneHot({0, 1, 2, 3}, 4, torch::TensorOptions()));
        for (int a = 0; a < 4; ++a)
            for (int b = a + 1; b < 4; ++b)
                QVERIFY((images[a] - images[b]).abs().mean().item<double>() > 1e-3);
        const auto again = g->forward(z, oneHot({0, 1, 2, 3}, 4, torch::TensorOptions()));
        QVERIFY(torch::equal(images, again));  // const noise: deterministic
        Discriminator d(tiny(16, 4));
        const auto logits = d->forward(images[0].unsqueeze(0).repeat({4, 1, 1, 1}), oneHot({0, 1, 2, 3}, 4, {}));
        QVERIFY((logits - logits[0]).abs().max().item<double>() > 1e-4);
    }

    void truncationPullsTowardTheAverage()
    {
        torch::NoGradGuard noGrad;
        Generator g(tiny());
        g->mapping->w_avg.copy_(torch::randn({32}));
        const auto ws = g->mapping->forward(torch::randn({5, 32}), {}, 0.0);
        QVERIFY((ws - g->mapping->w_avg).abs().max().item<double>() < 1e-6);
        const auto full = g->mapping->forward(torch::randn({5, 32}), {}, 1.0);
        QVERIFY((full - g->mapping->w_avg).abs().max().item<double>() > 0.1);
        // With a cutoff only the first layers are truncated.
        const auto cut = g->mapping->forward(torch::randn({5, 32}), {}, 0.0, 2);
        QVERIFY((cut.narrow(1, 0, 2) - g->mapping->w_avg).abs().max().item<double>() < 1e-6);
        QVERIFY((cut.narrow(1, 2, 4) - g->mapping->w_avg).abs().max().item<double>() > 0.1);
    }

    // Field case 15: at psi 0 a conditional model drew one identical image for every diagnosis, since
    // truncation pulled all classes to one w_avg. By default it now pulls each class to its own mean w.
    void conditionalTruncationKeepsEachClass()
    {
        torch::NoGradGuard noGrad;
        Generator g(tiny(16, 3));
        g->mapping->w_avg.copy_(torch::randn({32}));
        const auto z = torch::randn({1, 32}).repeat({3, 1});
        const auto c = oneHot({0, 1, 2}, 3, torch::TensorOptions());
        const auto ws = g->mapping->forward(z, c, 0.0);
        for (int k = 0; k < 3; ++k)
            QVERIFY((ws[k][0] - g->mapping->classMeanW(k)).abs().max().item<double>() < 1e-6);
        QVERIFY((ws[0] - ws[1]).abs().max().item<double>() > 1e-3);
        // The class mean is the mean of the mapping over many z of that class: within 5 standard errors of
        // the difference of two sample means (16384 seeded samples here, 2048 in the cache).
        torch::manual_seed(7);
        const auto many = g->mapping->forward(torch::randn({16384, 32}), oneHot(std::vector<int64_t>(16384, 1), 3, {})).select(1, 0);
        const auto standardError = many.std(0) * std::sqrt(1.0 / 16384 + 1.0 / 2048);
        QVERIFY(((many.mean(0) - g->mapping->classMeanW(1)).abs() < 5 * standardError).all().item<bool>());
        // The reference behaviour stays available: every class at the one w_avg.
        g->mapping->truncationCenter = TruncationCenter::GlobalMean;
        const auto global = g->mapping->forward(z, c, 0.0);
        QVERIFY((global - g->mapping->w_avg).abs().max().item<double>() < 1e-6);
        // A changed weight recomputes the cached class means.
        g->mapping->truncationCenter = TruncationCenter::ClassMean;
        const auto before = g->mapping->classMeanW(0).clone();
        g->mapping->layers[0]->weight.add_(0.5);
        QVERIFY((g->mapping->classMeanW(0) - before).abs().max().item<double>() > 1e-4);
    }

    void wAvgTracksTheMappingOutput()
    {
        Generator g(tiny());
        const auto before = g->mapping->w_avg.clone();
        g->mapping->forward(torch::randn({16, 32}), {}, 1.0, -1, true);
        QVERIFY(!torch::equal(before, g->mapping->w_avg));
    }

    void pairedDiscriminationEqualsTwoPasses()
    {
        torch::NoGradGuard noGrad;
        Discriminator d(tiny(16, 3));
        const auto fakes = torch::randn({8, 3, 16, 16}), reals = torch::randn({8, 3, 16, 16}) * 0.3;
        const auto cf = oneHot({0, 1, 2, 0, 1, 2, 0, 1}, 3, {}), cr = oneHot({2, 2, 1, 1, 0, 0, 2, 1}, 3, {});
        const auto [a, b] = discriminatePair(d, fakes, cf, reals, cr);
        QVERIFY((a - d->forward(fakes, cf)).abs().max().item<double>() < 1e-5);
        QVERIFY((b - d->forward(reals, cr)).abs().max().item<double>() < 1e-5);
        // Concatenating naively would mix fakes and reals in minibatch-stddev groups and change the logits.
        const auto naive = d->forward(torch::cat({fakes, reals}), torch::cat({cf, cr})).narrow(0, 0, 8);
        QVERIFY((naive - d->forward(fakes, cf)).abs().max().item<double>() > 1e-4);
    }

    void minibatchStdAddsAChannel()
    {
        const auto x = torch::randn({8, 5, 4, 4});
        const auto y = minibatchStd(x, 4, 1);
        QCOMPARE(y.size(1), int64_t(6));
        // Identical samples in a group have zero spread.
        const auto same = minibatchStd(torch::ones({4, 5, 4, 4}), 4, 1);
        QVERIFY(same.select(1, 5).abs().max().item<double>() < 1e-3);
    }
};

QTEST_APPLESS_MAIN(TestNetworks)
#include "test_networks.moc"
