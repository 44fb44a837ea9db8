// The explainability core on tiny generators: projection recovers images the generator can make (W+ better
// than W where per-layer styles differ), distances behave, PCA directions are orthonormal, a linear boundary
// finds a planted direction, direction files are tied to their model.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"
#include "explain/embedding.h"
#include "explain/image_distances.h"
#include "explain/latent_directions.h"
#include "explain/latent_render.h"
#include "explain/map_input.h"
#include "explain/map_methods.h"
#include "explain/map_placement.h"
#include "explain/neighbours.h"
#include "explain/projection_calibration.h"
#include "explain/projector.h"
#include "explain/umap.h"
#include "io/npy.h"
#include "io/tagged_archive.h"
#include "metrics/feature_extractor.h"
#include "model/classifier_file.h"
#include "nets/latents.h"

using namespace dermgan;
using namespace dermgan::explain;
namespace fs = std::filesystem;

namespace {

GeneratorModel tinyModel(int classes, int resolution = 16)
{
    nets::NetworkConfig config;
    config.resolution = resolution;
    config.classCount = classes;
    for (int k = 0; k < classes; ++k)
        config.classNames.push_back("c" + std::to_string(k));
    config.zDim = 32;
    config.wDim = 32;
    config.channelBase = 256;
    config.channelMax = 32;
    GeneratorModel model;
    model.training.network = config;
    model.generator = nets::Generator(config);
    model.generator->eval();
    model.hash = moduleHash(*model.generator);
    return model;
}

} // namespace

class TestExplain : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    fs::path path(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(0);
        // A randomly initialised feature network is a valid (if uninformed) LPIPS-style distance: enough to
        // check that the optimiser finds a latent that reproduces an image.
        nets::ClassifierConfig config;
        config.resolution = 16;
        config.classNames = {"a", "b"};
        config.widths = {8, 16};
        nets::LesionClassifier classifier(config);
        classifier->eval();
        metrics::saveClassifier(classifier, {}, path("random.dermnet"));
    }

    void trivialImagesAreNamedAsSuch()
    {
        QVERIFY(trivialImageReason(cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 20, 30))).find("too small") != std::string::npos);
        QVERIFY(trivialImageReason(cv::Mat(64, 64, CV_8UC3, cv::Scalar(10, 20, 30))).find("almost constant") != std::string::npos);
        cv::Mat photo(64, 64, CV_8UC3);
        cv::randu(photo, cv::Scalar::all(0), cv::Scalar::all(255));
        QCOMPARE(trivialImageReason(photo), std::string());
    }

    void noveltyAndPercentilesReadAgainstHeldOutLesions()
    {
        // 8-D features with one stretched axis: the Mahalanobis distance undoes the stretch, so a point far
        // along the short axis is novel while the same Euclidean offset along the long one is not.
        torch::manual_seed(9);
        auto scale = torch::ones({8}, torch::kFloat64);
        scale[0] = 10.0;
        const auto training = torch::randn({2000, 8}, torch::kFloat64) * scale;
        const auto novelty = FeatureNovelty::fit(training, 0.0);
        QVERIFY(torch::allclose(novelty.mean, torch::zeros({8}, torch::kFloat64), 0, 0.5));
        auto alongLong = torch::zeros({1, 8}, torch::kFloat64), alongShort = torch::zeros({1, 8}, torch::kFloat64);
        alongLong[0][0] = 8.0;
        alongShort[0][1] = 8.0;
        QVERIFY(novelty.distances(alongLong).front() < 1.5);
        QVERIFY(novelty.distances(alongShort).front() > 7.0);

        QCOMPARE(percentileOf({1, 2, 3, 4}, 2.5), 50.0);
        QCOMPARE(percentileOf({1, 2, 3, 4}, 4.0), 100.0);

        ProjectionCalibration calibration;
        calibration.modelHash = "abc";
        calibration.extractor = "derm";
        calibration.extractorHash = "e1";
        calibration.space = "w";
        calibration.steps = 300;
        calibration.novelty = novelty;
        calibration.heldOutNovelty = novelty.distances(torch::randn({200, 8}, torch::kFloat64) * scale);
        for (int i = 1; i <= 10; ++i) {
            calibration.heldOutDistances["perceptual"].push_back(0.1 * i);
            calibration.heldOutDistances["ssim"].push_back(0.05 * i);
        }
        ImageDistances close;
        close.perceptual = 0.25;  // 8 of the 10 held-out lesions projected farther
        close.ssim = 0.5;         // as high as all 10
        const auto typical = readCalibrated(calibration, torch::zeros({1, 8}, torch::kFloat64), close);
        QVERIFY(!typical.outOfDistribution);
        QCOMPARE(typical.percentiles.at("perceptual"), 80.0);
        QCOMPARE(typical.percentiles.at("ssim"), 100.0);
        QVERIFY(describe(typical).find("80% of held-out real lesions") != std::string::npos);
        const auto far = readCalibrated(calibration, alongShort, close);
        QVERIFY(far.outOfDistribution);  // however close its projection, it is not ranked
        QVERIFY(far.percentiles.empty());
        QVERIFY(describe(far).find("OUT OF DISTRIBUTION") != std::string::npos);

        // Files: a round trip, and refusals that name the file.
        const auto json = path("model.calibration.json");
        QCOMPARE(calibrationPathFor(path("model.dermgan")), json);
        writeCalibration(json, calibration);
        QVERIFY(fs::exists(path("model.calibration.npz")));
        const auto back = readCalibration(json, "abc");
        QVERIFY(torch::equal(back.novelty.precision, novelty.precision));
        QCOMPARE(back.heldOutNovelty, calibration.heldOutNovelty);
        QCOMPARE(back.heldOutDistances.at("perceptual"), calibration.heldOutDistances.at("perceptual"));
        QVERIFY(findCalibration(path("model.dermgan"), "abc").has_value());
        QVERIFY(!findCalibration(path("other.dermgan"), "abc").has_value());
        try {
            readCalibration(json, "xyz");
            QFAIL("a calibration of another model was accepted");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("model.calibration.json") != std::string::npos);
            QVERIFY(std::string(e.what()).find("made for model abc") != std::string::npos);
        }
        std::ofstream(json) << "{\"format\": \"dermgan-projection-calibration\", \"version\": 99}";
        try {
            readCalibration(json);
            QFAIL("a newer calibration was accepted");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("upgrade dermgan") != std::string::npos);
        }
    }

    void distancesBehave()
    {
        const auto a = torch::rand({3, 16, 16}) * 2 - 1;
        QVERIFY(std::abs(ssim(a, a) - 1.0) < 1e-9);
        QVERIFY(psnr(a, a) > 90);
        const auto noise = torch::rand({3, 16, 16}) * 2 - 1;
        QVERIFY(ssim(a, noise) < 0.3);
        QVERIFY(psnr(a, (a + 0.1).clamp(-1, 1)) > psnr(a, noise));
    }

    void projectionRecoversAGeneratedImage()
    {
        auto model = tinyModel(0);
        auto distance = openPerceptualDistance(path("random.dermnet").string(), torch::kCPU);
        // The target: a style-mixed image (layers 0-2 from seed 1, the rest from seed 2), which W+ can
        // represent exactly and a single w cannot.
        torch::Tensor target;
        {
            torch::NoGradGuard noGrad;
            const auto w1 = model.generator->mapping->forward(nets::latentsFromSeeds({1}, 32), {});
            const auto w2 = model.generator->mapping->forward(nets::latentsFromSeeds({2}, 32), {});
            auto ws = w2.clone();
            ws.narrow(1, 0, 3).copy_(w1.narrow(1, 0, 3));
            target = toPixels(model.generator->synthesis->forward(ws))[0];
        }
        ProjectionOptions options;
        options.steps = 200;
        options.optimizeNoise = false;  // the target used the generator's own constant noise
        options.wAvgSamples = 2000;
        options.space = LatentSpace::W;
        const auto w = project(model, target, *distance, options);
        options.space = LatentSpace::WPlus;
        int calls = 0;
        const auto wplus = project(model, target, *distance, options, [&](const ProjectionStep&, const torch::Tensor&) {
            ++calls;
            return true;
        });
        QCOMPARE(calls, 200);
        QCOMPARE(wplus.ws.sizes(), (std::vector<int64_t>{model.generator->synthesis->numWs, 32}));
        // Rows of a W projection are one vector repeated.
        QVERIFY(torch::allclose(w.ws[0], w.ws[w.ws.size(0) - 1]));

        // Success is judged against where the projector starts (the mean-w image): a fit that removes
        // three quarters of the starting perceptual distance has found the image, not wandered.
        const auto start = w.curve.front().perceptual;
        const auto dW = measureProjection(w, *distance, nullptr), dWPlus = measureProjection(wplus, *distance, nullptr);
        QVERIFY2(dWPlus.perceptual < 0.25 * start, qPrintable(QString("%1 vs start %2").arg(dWPlus.perceptual).arg(start)));
        QVERIFY2(dWPlus.perceptual < dW.perceptual, qPrintable(QString("W+ %1, W %2").arg(dWPlus.perceptual).arg(dW.perceptual)));
        QVERIFY(dWPlus.psnr > dW.psnr);
    }

    void projectionCanBeCancelledAndChecksItsInput()
    {
        auto model = tinyModel(3);
        auto distance = openPerceptualDistance(path("random.dermnet").string(), torch::kCPU);
        const auto target = torch::randint(0, 256, {3, 16, 16}, torch::kUInt8);
        ProjectionOptions options;
        options.wAvgSamples = 100;
        QVERIFY_THROWS_EXCEPTION(InputError, project(model, target, *distance, options));  // conditional, no class
        options.classIndex = 1;
        QVERIFY_THROWS_EXCEPTION(InputError, project(model, torch::zeros({3, 32, 32}, torch::kUInt8), *distance, options));
        const auto result = project(model, target, *distance, options, [](const ProjectionStep& s, const torch::Tensor&) {
            return s.step < 5;
        });
        QVERIFY(result.cancelled);
        QCOMPARE(static_cast<int>(result.curve.size()), 5);
        // The noise maps are optimised by default: their penalty is its own column, and the loss is the sum.
        for (const auto& s : result.curve) {
            QVERIFY(s.noisePenalty > 0);
            QVERIFY(std::abs(s.loss - (s.perceptual + options.pixelWeight * s.pixel + s.noisePenalty)) <= 1e-4 * s.loss);
        }
        QCOMPARE(toJson(result).at("curve_columns").back().get<std::string>(), std::string("noise_penalty"));
        std::string note;
        const cv::Mat wide(20, 40, CV_8UC3, cv::Scalar(10, 20, 30));
        const auto prepared = prepareTarget(wide, 16, note);
        QCOMPARE(prepared.sizes(), (std::vector<int64_t>{3, 16, 16}));
        QVERIFY(QString::fromStdString(note).contains("centre-cropped"));
    }

    void pcaDirectionsAreOrthonormal()
    {
        auto model = tinyModel(3);
        const auto directions = pcaDirections(model, 8, 3000, 1);
        QCOMPARE(static_cast<int>(directions.size()), 8);
        std::vector<torch::Tensor> vectors;
        for (const auto& d : directions)
            vectors.push_back(d.vector);
        const auto v = torch::stack(vectors);
        QVERIFY(torch::allclose(v.mm(v.t()), torch::eye(8), 1e-4, 1e-4));
        double total = 0;
        for (std::size_t i = 0; i < directions.size(); ++i) {
            total += directions[i].explainedVariance;
            if (i > 0)
                QVERIFY(directions[i].explainedVariance <= directions[i - 1].explainedVariance);
        }
        QVERIFY(total > 0 && total <= 1.0 + 1e-9);
        const auto classes = classDirections(model, 3000, 1);
        QCOMPARE(static_cast<int>(classes.size()), 3);
        QCOMPARE(classes[2].name, std::string("class c2"));
    }

    void boundaryFindsAPlantedDirection()
    {
        torch::manual_seed(3);
        const auto w = torch::randn({600, 32});
        auto planted = torch::randn({32});
        planted = planted / planted.norm();
        const auto scores = w.mv(planted);
        std::vector<bool> labels;
        for (int i = 0; i < 600; ++i)
            labels.push_back(scores[i].item<float>() > 0);
        const auto boundary = linearBoundary(w, labels, "planted");
        const double cosine = boundary.vector.dot(planted).item<double>();
        QVERIFY2(cosine > 0.9, qPrintable(QString::number(cosine)));
        QVERIFY(boundary.explainedVariance > 0.95);  // training accuracy
        QVERIFY_THROWS_EXCEPTION(InputError, linearBoundary(w.narrow(0, 0, 10), std::vector<bool>(10, true), "one label"));
    }

    void embeddingsKeepSeparatedClustersSeparated()
    {
        // Three Gaussian clusters in 50-D, 10 units apart: any faithful map keeps them apart.
        torch::manual_seed(4);
        std::vector<torch::Tensor> parts;
        std::vector<int> labels;
        for (int c = 0; c < 3; ++c) {
            auto centre = torch::zeros({50});
            centre[c] = 10.0;
            parts.push_back(torch::randn({100, 50}) + centre);
            labels.insert(labels.end(), 100, c);
        }
        const auto x = torch::cat(parts);
        TsneOptions options;
        options.iterations = 400;
        options.perplexity = 20;
        const auto tsne = tsneEmbedding(x, options), pca = pcaEmbedding(x);
        QCOMPARE(tsne.sizes(), (std::vector<int64_t>{300, 2}));
        QVERIFY(torch::equal(tsne, tsneEmbedding(x, options)));  // deterministic for a seed
        UmapOptions umapOptions;
        umapOptions.epochs = 200;
        const auto umap = umapEmbedding(x, umapOptions);
        QCOMPARE(umap.sizes(), (std::vector<int64_t>{300, 2}));
        QVERIFY(torch::equal(umap, umapEmbedding(x, umapOptions)));
        umapOptions.seed = 1;
        QVERIFY(!torch::equal(umap, umapEmbedding(x, umapOptions)));  // the seed matters

        // Bounds: well-separated clusters give trustworthiness near 1 (0.9 leaves room for the within-cluster
        // noise, which no 2-D map can keep); a random map scores about 0.5.
        const double tTsne = trustworthiness(x, tsne, 10), tPca = trustworthiness(x, pca, 10);
        const double tUmap = trustworthiness(x, umap, 10);
        const double tRandom = trustworthiness(x, torch::randn({300, 2}), 10);
        QVERIFY2(tTsne > 0.9, qPrintable(QString::number(tTsne)));
        QVERIFY2(tUmap > 0.9, qPrintable(QString::number(tUmap)));
        QVERIFY2(tPca > 0.85, qPrintable(QString::number(tPca)));
        QVERIFY2(tRandom < 0.65, qPrintable(QString::number(tRandom)));
        // Neighbours kept: the map itself keeps all of its own; a random map keeps about k / N of them.
        QCOMPARE(knnPreservation(tsne, tsne, 10), 1.0);
        QVERIFY(knnPreservation(x, torch::randn({300, 2}), 10) < 0.1);
        QVERIFY(knnPreservation(x, tsne, 10) > 0.1);
        // Every point's map neighbours share its cluster.
        for (const auto& map : {tsne, umap}) {
            const auto [neighbours, distances] = knnGraph(map, 5);
            int agree = 0;
            for (int i = 0; i < 300; ++i)
                for (int j = 0; j < 5; ++j)
                    agree += labels[static_cast<std::size_t>(neighbours[i][j].item<int64_t>())] == labels[static_cast<std::size_t>(i)];
            QVERIFY2(agree >= 0.98 * 1500, qPrintable(QString::number(agree)));
        }
    }

    void umapCurveMatchesTheReferenceFit()
    {
        // umap-learn's find_ab_params (scipy curve_fit) gives a = 1.5769, b = 0.8951 for its defaults
        // (min_dist 0.1, spread 1) and a = 1.9290, b = 0.7915 for min_dist 0.001.
        const auto [a, b] = umapCurve(0.1, 1.0);
        QVERIFY2(std::abs(a - 1.5769) < 2e-3 && std::abs(b - 0.8951) < 2e-3, qPrintable(QString("%1 %2").arg(a).arg(b)));
        const auto [a2, b2] = umapCurve(0.001, 1.0);
        QVERIFY2(std::abs(a2 - 1.9290) < 2e-3 && std::abs(b2 - 0.7915) < 2e-3, qPrintable(QString("%1 %2").arg(a2).arg(b2)));
        QVERIFY_EXCEPTION_THROWN(umapEmbedding(torch::randn({10, 4})), InputError);  // 10 rows, 15 neighbours
    }

    void recipesRoundTripAndRenderWhatTheySay()
    {
        auto model = tinyModel(3);
        DirectionSet set;
        set.modelHash = model.hash;
        set.wDim = 32;
        set.numWs = model.network().numWs();
        set.directions = pcaDirections(model, 2, 200, 0);
        LatentRecipe recipe;
        recipe.seed = 9;
        recipe.classIndex = 2;
        recipe.psi = 0.7;
        recipe.noise = nets::NoiseMode::None;
        recipe.edits = {{"pc1", 1.5, 2, 4}};
        recipe.mix = {true, 4, 3, -1};
        QVERIFY(recipeFromJson(toJson(recipe)) == recipe);
        QVERIFY_EXCEPTION_THROWN(recipeFromJson({{"noise", "loud"}}), InputError);
        QVERIFY_EXCEPTION_THROWN(recipeFromJson({{"seed", "nine"}}), InputError);

        // The rendered latents are the mapped seed, its layers 3.. from the second seed, then pc1 moved by
        // 1.5 sigma on layers 2-4 only.
        torch::NoGradGuard noGrad;
        const auto c = nets::oneHot({2}, 3, torch::TensorOptions());
        auto expected = model.generator->mapping->forward(nets::latentsFromSeeds({9}, 32), c, 0.7);
        const auto second = model.generator->mapping->forward(nets::latentsFromSeeds({4}, 32), c, 0.7);
        expected.narrow(1, 3, expected.size(1) - 3).copy_(second.narrow(1, 3, expected.size(1) - 3));
        expected = applyDirection(expected, set.directions[1], 1.5, 2, 4);
        QVERIFY(torch::allclose(recipeWs(model, set, recipe), expected));
        const auto image = renderRecipe(model, set, recipe);
        QCOMPARE(image.sizes(), (std::vector<int64_t>{3, 16, 16}));
        QCOMPARE(image.scalar_type(), torch::kUInt8);
        QVERIFY(torch::equal(image, toPixels(model.generator->synthesis->forward(expected, nets::NoiseMode::None))[0]));

        LatentRecipe bad = recipe;
        bad.classIndex = 3;
        QVERIFY_EXCEPTION_THROWN(recipeWs(model, set, bad), InputError);
        bad = recipe;
        bad.edits = {{"pc9", 1.0, 0, -1}};
        QVERIFY_EXCEPTION_THROWN(recipeWs(model, set, bad), InputError);
        bad = recipe;
        bad.mix.lastLayer = 99;
        QVERIFY_EXCEPTION_THROWN(recipeWs(model, set, bad), InputError);

        // A projected latent replaces the seed: its ws come back as given (no mixing, no edits).
        LatentRecipe projected;
        projected.classIndex = 2;
        const auto given = torch::randn({model.network().numWs(), 32});
        projected.ws.assign(given.data_ptr<float>(), given.data_ptr<float>() + given.numel());
        QVERIFY(recipeFromJson(toJson(projected)) == projected);
        QVERIFY(torch::equal(recipeWs(model, set, projected)[0], given));
        projected.ws.pop_back();
        QVERIFY_EXCEPTION_THROWN(recipeWs(model, set, projected), InputError);
    }

    void progressiveRenderIsTheSameFrameInStagesAndCanStop()
    {
        const auto model = tinyModel(3, 64);
        const DirectionSet noDirections;
        LatentRecipe recipe;
        recipe.seed = 4;
        recipe.classIndex = 1;
        const auto whole = renderRecipe(model, noDirections, recipe);
        std::vector<int64_t> stages;
        int polls = 0;
        ProgressiveRender progressive;
        progressive.firstPreview = 16;
        progressive.preview = [&](const torch::Tensor& pixels) {
            stages.push_back(pixels.size(-1));
            QCOMPARE(pixels.scalar_type(), torch::kUInt8);
        };
        progressive.stopRequested = [&] { return ++polls < 0; };
        QVERIFY(torch::equal(renderRecipe(model, noDirections, recipe, progressive), whole));
        QCOMPARE(stages, (std::vector<int64_t>{16, 32}));  // coarse stages only; the 64x64 one is the frame
        const int pollsPerFrame = polls;
        QVERIFY(pollsPerFrame >= model.network().numWs());  // at least once per layer

        // Stopped at the 5th poll: no frame, no stage, and nothing polled (so nothing computed) after it.
        stages.clear();
        polls = 0;
        progressive.stopRequested = [&] { return ++polls == 5; };
        QVERIFY(!renderRecipe(model, noDirections, recipe, progressive).defined());
        QCOMPARE(polls, 5);
        QVERIFY(stages.empty());  // 5 polls end inside the 8x8 block, before any stage of 16 px

        // The coarse stage of a trained model is its frame without the finest detail: the 32x32 stage of the
        // bundled model is much nearer its own frame (averaged to 32x32) than another seed's frame (13 vs 26 of
        // 255; 21 vs 32 without the later ToRGB biases, whose colour cast a user would see).
        const auto bundled = loadGeneratorModel(metrics::bundledModelPath("ham64-cond.dermgan"), torch::kCPU);
        const auto shrink = [](const torch::Tensor& pixels) {
            return torch::avg_pool2d(pixels.to(torch::kFloat32).unsqueeze(0), 2)[0];
        };
        torch::Tensor stage32;
        progressive.stopRequested = nullptr;
        progressive.preview = [&](const torch::Tensor& pixels) {
            if (pixels.size(-1) == 32)
                stage32 = pixels.to(torch::kFloat32);
        };
        const auto own = shrink(renderRecipe(bundled, noDirections, recipe, progressive));
        recipe.seed = 5;
        const auto other = shrink(renderRecipe(bundled, noDirections, recipe));
        const double toOwn = (stage32 - own).abs().mean().item<double>();
        const double toOther = (stage32 - other).abs().mean().item<double>();
        qInfo("mean |32x32 stage - frame|: own %.2f, another seed's %.2f (of 255)", toOwn, toOther);
        QVERIFY(toOwn < 0.6 * toOther);
    }

    void placedPointsLandAmongTheirNeighboursWithoutMovingTheMap()
    {
        // Two clusters in 8-D drawn at (0, 0) and (10, 10).
        torch::manual_seed(1);
        const auto a = torch::randn({30, 8}) * 0.3 + torch::full({8}, 0.0).index_fill_(0, torch::tensor({0L}), 5.0);
        const auto b = torch::randn({30, 8}) * 0.3 + torch::full({8}, 0.0).index_fill_(0, torch::tensor({1L}), 5.0);
        const auto vectors = torch::cat({a, b});
        const auto xy = torch::cat({torch::randn({30, 2}) * 0.5, torch::randn({30, 2}) * 0.5 + 10.0});
        const auto queries = torch::stack({vectors[7], a.mean(0), b.mean(0) + 0.1});
        const auto placed = placeOnMap(vectors, xy, queries);
        QVERIFY(torch::allclose(placed.xy[0], xy[7]));                      // on a map point: its place
        QCOMPARE(placed.nearest[0][0].item<int64_t>(), 7);
        QCOMPARE(placed.distances[0][0].item<float>(), 0.0f);
        QVERIFY((placed.nearest[1] < 30).all().item<bool>());               // among its own cluster's points
        QVERIFY((placed.nearest[2] >= 30).all().item<bool>());
        const auto hullA = xy.narrow(0, 0, 30), hullB = xy.narrow(0, 30, 30);
        QVERIFY((placed.xy[1] >= hullA.amin(0)).all().item<bool>() && (placed.xy[1] <= hullA.amax(0)).all().item<bool>());
        QVERIFY((placed.xy[2] >= hullB.amin(0)).all().item<bool>() && (placed.xy[2] <= hullB.amax(0)).all().item<bool>());
        QCOMPARE(placed.nearest.size(1), 14);                              // k = 15 with the point itself, as the map's UMAP
        QVERIFY((placed.distances.select(1, 1) >= placed.distances.select(1, 0)).all().item<bool>());

        QVERIFY_EXCEPTION_THROWN(placeOnMap(vectors, xy, torch::zeros({1, 7})), InputError);
        QVERIFY_EXCEPTION_THROWN(placeOnMap(vectors, xy.narrow(0, 0, 10), queries), InputError);
        // A map of fewer points than k: all of them, and an exact match still lands on its point.
        const auto small = placeOnMap(vectors.narrow(0, 0, 5), xy.narrow(0, 0, 5), vectors[3].unsqueeze(0));
        QCOMPARE(small.nearest.size(1), 5);
        QVERIFY(torch::allclose(small.xy[0], xy[3]));
        QVERIFY_EXCEPTION_THROWN(placeOnMap(vectors.narrow(0, 0, 1), xy.narrow(0, 0, 1), queries), InputError);
    }

    void walksInterpolateAndNeighboursFindTheirSeed()
    {
        // A walk is the straight line between two latents; edits and mixing are folded into its ends.
        LatentRecipe base;
        base.seed = 4;
        base.edits = {{"pc0", 2.0, 0, -1}};
        base.mix.enabled = true;
        const std::vector<float> a{0.f, 2.f, -4.f}, b{1.f, 0.f, 4.f};
        const auto middle = walkRecipe(base, a, b, 0.25);
        QCOMPARE(middle.ws, (std::vector<float>{0.25f, 1.5f, -2.f}));
        QCOMPARE(middle.edits[0].amount, 0.0);
        QVERIFY(!middle.mix.enabled);
        QCOMPARE(walkRecipe(base, a, b, 0.0).ws, a);
        QCOMPARE(walkRecipe(base, a, b, 1.0).ws, b);
        QVERIFY_EXCEPTION_THROWN(walkRecipe(base, a, {1.f}, 0.5), InputError);

        // The nearest synthetic neighbour of a generated image is its own seed (cosine 1), and the pool is
        // the chosen class's seeds 0..count-1.
        qputenv("DERMGAN_CACHE_DIR", QFile::encodeName(dir_.path() + "/cache"));
        auto model = tinyModel(3);
        LatentRecipe seven;
        seven.seed = 7;
        seven.classIndex = 1;
        const auto query = renderRecipe(model, DirectionSet{}, seven);
        NeighbourRequest request;
        request.extractor = path("random.dermnet").string();
        request.classIndex = 1;
        request.syntheticCount = 20;
        request.k = 4;
        for (int pass = 0; pass < 2; ++pass) {  // the second pass reads the pool's features from the cache
            const auto found = nearestNeighbours(model, query, request);
            QCOMPARE(found.synthetic.size(), std::size_t(4));
            QVERIFY(found.real.empty());  // no dataset given
            QCOMPARE(found.className, std::string("c1"));
            QCOMPARE(found.synthetic[0].seed, 7u);
            QVERIFY(found.synthetic[0].cosine > 0.9999);
            QVERIFY(torch::equal(found.synthetic[0].image, query));
            for (std::size_t i = 1; i < 4; ++i) {
                QVERIFY(found.synthetic[i].cosine <= found.synthetic[i - 1].cosine);
                QVERIFY(found.synthetic[i].seed < 20u && found.synthetic[i].seed != 7u);
                QVERIFY(torch::equal(found.synthetic[i].image, renderRecipe(model, DirectionSet{}, [&] {
                    LatentRecipe r = seven;
                    r.seed = found.synthetic[i].seed;
                    return r;
                }())));
            }
        }
        request.classIndex = 3;
        QVERIFY_EXCEPTION_THROWN(nearestNeighbours(model, query, request), InputError);
    }

    void directionsApplyToTheirLayersAndFilesAreTiedToTheirModel()
    {
        auto model = tinyModel(0);
        DirectionSet set;
        set.modelHash = model.hash;
        set.wDim = 32;
        set.numWs = model.generator->synthesis->numWs;
        set.directions = pcaDirections(model, 3, 1000, 0);
        const auto ws = torch::zeros({set.numWs, 32});
        const auto moved = applyDirection(ws, set.directions[0], 2.0, 1, 2);
        QVERIFY(torch::equal(moved[0], ws[0]));
        QVERIFY(torch::allclose(moved[1], set.directions[0].vector * (2.0 * set.directions[0].stddev)));
        QVERIFY(torch::equal(moved[3], ws[3]));

        saveDirections(set, path("dirs.json"));
        const auto loaded = loadDirections(path("dirs.json"), model.hash);
        QCOMPARE(loaded.directions.size(), set.directions.size());
        QVERIFY(torch::allclose(loaded.directions[1].vector, set.directions[1].vector));
        try {
            loadDirections(path("dirs.json"), "0123456789abcdef");
            QFAIL("a direction file of another model was accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("made for model"));
        }
    }

    // Field case 18 (the explorer): a direction file that is not an object gave a raw JSON type error; every
    // malformed file is one line naming the file and what was expected.
    void malformedDirectionFilesNameTheFile()
    {
        for (const char* text : {"[1, 2]", "\"x\"", R"({"format": "dermgan-directions", "model_hash": 3})"}) {
            std::ofstream(path("bad.json")) << text;
            try {
                loadDirections(path("bad.json"), "");
                QFAIL(text);
            } catch (const InputError& e) {
                const QString message = e.what();
                QVERIFY2(message.contains("bad.json") && message.contains("expected") && !message.contains("json.exception"),
                         e.what());
            }
        }
    }

    // Field case 08 (maps): a map of 21 points was computed, then thrown away because trustworthiness at
    // k = 10 needs 22. The map stays; the readout is left out and says why.
    void smallMapsKeepTheirPointsAndSayWhyAReadoutIsMissing()
    {
        const auto x = torch::randn({21, 5}), map = torch::randn({21, 2});
        const auto small = measureMapQuality(x, map, 10);
        QVERIFY(!small.trustworthiness);
        QVERIFY(small.knnPreserved);  // k-NN preservation needs only k + 2
        QVERIFY2(QString::fromStdString(small.note).contains("21 points"), small.note.c_str());
        const auto enough = measureMapQuality(torch::randn({22, 5}), torch::randn({22, 2}), 10);
        QVERIFY(enough.trustworthiness && enough.note.empty());
    }

    // The table that `embed` and the Map tab enumerate: every method in it computes a [N, 2] map, and a name
    // outside it is refused with the table's own list.
    void everyListedMapMethodComputesAMap()
    {
        torch::manual_seed(5);
        const auto vectors = torch::randn({60, 6});
        for (const auto& method : mapMethods()) {
            QVERIFY2(hasMapComputation(method.name) && findMapMethod(method.name) == &method, method.name.c_str());
            MapOptions options;
            options.method = method.name;
            options.tsne.perplexity = 10;
            options.tsne.iterations = 300;  // a map, not a good one: this checks the wiring
            options.umap.epochs = 100;
            options.umap.neighbours = 10;
            const auto map = computeMap(vectors, options);
            QCOMPARE(map.sizes(), (std::vector<int64_t>{60, 2}));
            QVERIFY2(torch::isfinite(map).all().item<bool>() && map.std().item<double>() > 0, method.name.c_str());
        }
        QCOMPARE(mapMethodNameList(), std::string("umap, tsne or pca"));
        MapOptions unknown;
        unknown.method = "isomap";
        try {
            computeMap(vectors, unknown);
            QFAIL("an unknown method was computed");
        } catch (const InputError& e) {
            QCOMPARE(std::string(e.what()), std::string("map method 'isomap' is not known; expected umap, tsne or pca"));
        }
    }

    // Reliability campaign: projection latents (-ws.npy) of shape (0,), a scalar, or a shape larger than the
    // file put a NaN point on a map or ended as an internal error.
    void projectionLatentsOfTheWrongShapeAreRefused()
    {
        const auto model = tinyModel(0);
        const auto& network = model.network();
        writeNpy(path("good-ws.npy"), torch::randn({network.numWs(), network.wDim}));
        QCOMPARE(readProjectionWs(path("good-ws.npy"), network).size(0), int64_t(network.numWs()));
        writeNpy(path("zero-ws.npy"), torch::zeros({0}));
        writeNpy(path("scalar-ws.npy"), torch::tensor(1.0f).reshape({}));
        writeNpy(path("nan-ws.npy"), torch::full({1, network.wDim}, std::nanf("")));
        for (const char* name : {"zero-ws.npy", "scalar-ws.npy", "nan-ws.npy"})
            QVERIFY_THROWS_EXCEPTION(InputError, readProjectionWs(path(name), network));
        // A header that promises 10^15 floats over a few bytes: refused before allocating.
        std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000,), }";
        header.append(64 - (10 + header.size() + 1) % 64, ' ');
        header += '\n';
        std::ofstream huge(path("huge-ws.npy"), std::ios::binary);
        huge.write("\x93NUMPY\x01\x00", 8);
        const char length[2] = {static_cast<char>(header.size() & 0xFF), static_cast<char>(header.size() >> 8)};
        huge.write(length, 2);
        huge << header << "1234";
        huge.close();
        try {
            readProjectionWs(path("huge-ws.npy"), network);
            QFAIL("a huge shape was accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("huge-ws.npy"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "test_explain.moc"
