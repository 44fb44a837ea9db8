// The explorer driven through its real widgets (offscreen): open a model, move controls and see the image
// change, undo/redo, latest-wins rendering, states, export, bad files.
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <QDoubleSpinBox>

#include <QRegularExpression>

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QTabWidget>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QSettings>
#include <QScreen>
#include <QDockWidget>
#include <QValueAxis>
#include <QToolButton>
#include <QUndoStack>

#include "explain/latent_directions.h"
#include "embedding_view.h"
#include "gallery_view.h"
#include "axis_range.h"
#include "generator_view.h"
#include "projection_view.h"
#include "reader_study_view.h"
#include "metrics/reader_study.h"
#include "io/png_text.h"
#include "model/snapshot.h"
#include "main_window.h"
#include "palette_chart_view.h"
#include "nets/generator.h"
#include "render_queue.h"
#include "synthetic_image_view.h"
#include "test_support.h"
#include "tiny_model.h"

using namespace dermgan;
using namespace dermgan::ui;
using dermgan::test::writeTinyModel;

namespace {

bool waitForFrame(GeneratorView* view)
{
    QSignalSpy spy(view, &GeneratorView::frameShown);
    return spy.wait(10000) || !view->renderQueue()->busy();
}

// Waits until nothing renders any more and returns the image on screen.
QImage settledImage(GeneratorView* view)
{
    QSignalSpy idle(view->renderQueue(), &RenderQueue::idle);
    if (view->renderQueue()->busy())
        idle.wait(10000);
    return view->imageView()->image();
}

} // namespace

class TestExplorer : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("dermgan-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_explorer"));
        QSettings().clear();
        QVERIFY(dir_.isValid());
        model_ = writeTinyModel(dir_.path(), true);
        qputenv("DERMGAN_CACHE_DIR", QFile::encodeName(dir_.path() + "/cache"));
    }

    void startsOnAPageSayingHowToGetAModel()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto* page = window.findChild<QLabel*>("startPage");
        QVERIFY(page && page->isVisible());
        QVERIFY(window.startPageText().contains("No generator loaded"));
        QVERIFY(!page->accessibleName().isEmpty());
        QVERIFY(!window.generatorView()->isVisible());
    }

    void opensOnTheClassWithTheMostTrainingImages()
    {
        // A model file that records its training images per class opens on the commonest one (HAM10000's nv,
        // for the bundled models), whatever the classes are called.
        auto model = loadGeneratorModel(model_.toStdString(), c10::Device(c10::kCPU));
        model.progress["class_images"] = {3, 40, 7};
        const QString counted = dir_.filePath(QStringLiteral("counted.dermgan"));
        exportGenerator(model, counted.toStdString());
        MainWindow window;
        QCOMPARE(window.openModel(counted), QString());
        QCOMPARE(window.generatorView()->recipe().classIndex, 1);
        QCOMPARE(window.generatorView()->classBox()->currentText(), QString("bcc"));
    }

    void opensAModelAndRendersOnEveryControl()
    {
        MainWindow window;
        window.show();
        QCOMPARE(window.openModel(model_), QString());
        auto* view = window.generatorView();
        QVERIFY(view->isVisible());
        const QImage first = settledImage(view);
        QCOMPARE(first.size(), QSize(16, 16));
        QCOMPARE(view->classBox()->count(), 3);
        QCOMPARE(view->classBox()->itemText(2), QString("mel"));
        QCOMPARE(view->directionSliders().size(), std::size_t(2));  // the direction file beside the model
        QVERIFY(window.findChild<QTextBrowser*>("modelCard")->toPlainText().contains("akiec, bcc, mel"));

        view->seedBox()->setValue(7);
        const QImage seven = settledImage(view);
        QVERIFY(seven != first);
        QCOMPARE(view->recipe().seed, 7u);

        QCOMPARE(view->recipe().classIndex, 0);  // the file records no class counts: the first class
        view->classBox()->setCurrentIndex(2);
        const QImage otherClass = settledImage(view);
        QVERIFY(otherClass != seven);

        QTest::keyClick(view->psiSlider(), Qt::Key_PageDown);  // psi 1.0 -> 0.9
        QCOMPARE(view->recipe().psi, 0.9);
        QVERIFY(settledImage(view) != otherClass);

        QTest::keyClick(view->directionSliders()[0], Qt::Key_PageUp);  // +0.5 sigma along pc0
        QCOMPARE(view->recipe().edits[0].amount, 0.5);
        QCOMPARE(view->directionAmounts()[0]->value(), 0.5);  // the value is shown beside the slider
        const QImage halfSigma = settledImage(view);
        QVERIFY(halfSigma != otherClass);

        // ... and can be typed: one undo step when Enter is pressed, the slider follows.
        const int steps = window.undoStack()->count();
        auto* amount = view->directionAmounts()[0];
        amount->setFocus();
        amount->selectAll();
        QTest::keyClicks(amount, "-1.25");
        QCOMPARE(view->recipe().edits[0].amount, 0.5);  // nothing while typing
        QTest::keyClick(amount, Qt::Key_Return);
        QCOMPARE(view->recipe().edits[0].amount, -1.25);
        QCOMPARE(view->directionSliders()[0]->value(), -125);
        QCOMPARE(window.undoStack()->count(), steps + 1);
        QVERIFY(settledImage(view) != halfSigma);
    }

    void undoAndRedoWalkTheEdits()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* view = window.generatorView();
        const QImage start = settledImage(view);
        view->seedBox()->setValue(11);
        const QImage eleven = settledImage(view);
        view->seedBox()->setValue(12);
        settledImage(view);
        QCOMPARE(window.undoStack()->count(), 2);
        window.undoStack()->undo();
        QCOMPARE(view->seedBox()->value(), 11);
        QCOMPARE(settledImage(view), eleven);
        window.undoStack()->undo();
        QCOMPARE(view->recipe().seed, 0u);
        QCOMPARE(settledImage(view), start);
        window.undoStack()->redo();
        QCOMPARE(view->recipe().seed, 11u);
        QCOMPARE(settledImage(view), eleven);

        // A drag is one step, however many frames it shows.
        QSlider* psi = view->psiSlider();
        const int steps = window.undoStack()->index();
        psi->setSliderDown(true);  // emits sliderPressed, as a mouse press does
        for (int v = 95; v >= 50; v -= 5)
            psi->setValue(v);
        psi->setSliderDown(false);  // emits sliderReleased
        QCOMPARE(window.undoStack()->index(), steps + 1);  // (the redo of seed 12 was dropped)
        QCOMPARE(view->recipe().psi, 0.5);
        window.undoStack()->undo();
        QCOMPARE(view->recipe().psi, 1.0);
        QCOMPARE(psi->value(), 100);
    }

    void walkGoesFromOneLatentToTheOther()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* view = window.generatorView();
        QVERIFY(!view->walkSlider()->isEnabled());  // no ends yet
        view->seedBox()->setValue(1);
        const QImage a = settledImage(view);
        view->findChild<QPushButton*>("walkSetA")->click();
        view->seedBox()->setValue(2);
        view->classBox()->setCurrentIndex(2);
        const QImage b = settledImage(view);
        view->findChild<QPushButton*>("walkSetB")->click();
        QSlider* walk = view->walkSlider();
        QVERIFY(walk->isEnabled());
        QCOMPARE(walk->value(), 100);

        const int steps = window.undoStack()->index();
        walk->setSliderDown(true);
        for (int t = 90; t >= 0; t -= 10)
            walk->setValue(t);
        walk->setSliderDown(false);
        QCOMPARE(window.undoStack()->index(), steps + 1);  // the whole drag is one step
        QCOMPARE(settledImage(view), a);                    // t = 0 is exactly A
        walk->setValue(50);
        const QImage middle = settledImage(view);
        QVERIFY(middle != a && middle != b);
        walk->setValue(100);
        QCOMPARE(settledImage(view), b);                    // t = 1 is exactly B
        window.undoStack()->undo();
        QCOMPARE(settledImage(view), middle);
    }

    void renderQueueKeepsOnlyTheLatestRequest()
    {
        GeneratorSession session;
        session.load(model_, QStringLiteral("cpu"));
        RenderQueue queue;
        queue.setSession(session);
        QSignalSpy frames(&queue, &RenderQueue::frameReady);
        QSignalSpy idle(&queue, &RenderQueue::idle);
        explain::LatentRecipe recipe;
        for (std::uint32_t seed = 0; seed < 20; ++seed) {
            recipe.seed = seed;
            queue.request(recipe);  // all while the first renders: 18 of them are replaced
        }
        QVERIFY(idle.wait(10000));
        QCOMPARE(frames.size(), 2);  // the first request and the last one, nothing in between
        QCOMPARE(queue.framesStopped(), 0);  // a frame without coarse stages is never stopped
        QCOMPARE(queue.shownRecipe().seed, 19u);
        QCOMPARE(frames.last().at(0).value<QImage>(), session.render(recipe));
    }

    void largeModelsShowCoarseStagesAndANewRequestStopsTheFrameInFlight()
    {
        // 128x128, 256 channels up to 32 px: 19 synthesis layers (~60 ms), far longer than two requests take.
        const QString large = test::writeRandomGenerator(dir_.path() + "/large.dermgan", 128, 8192, 256);
        GeneratorSession session;
        session.load(large, QStringLiteral("cpu"));
        RenderQueue queue;
        queue.setSession(session);
        QSignalSpy frames(&queue, &RenderQueue::frameReady);
        QSignalSpy previews(&queue, &RenderQueue::previewReady);
        QSignalSpy idle(&queue, &RenderQueue::idle);
        QList<int> stagesBeforeFrame;
        connect(&queue, &RenderQueue::previewReady, this, [&](const QImage& image) {
            if (frames.isEmpty())
                stagesBeforeFrame << image.width();
        });
        explain::LatentRecipe first, second;
        first.seed = 1;
        second.seed = 2;
        queue.request(first);
        queue.request(second);  // stops the first once it has shown its first stage
        QVERIFY(idle.wait(30000));
        QCOMPARE(queue.framesStopped(), 1);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(queue.shownRecipe().seed, 2u);
        QCOMPARE(frames.last().at(0).value<QImage>(), session.render(second));  // the stages change nothing
        // The first frame's 8x8 stage, then the second's stages coarse to fine, all before its frame.
        QCOMPARE(stagesBeforeFrame, (QList<int>{8, 8, 16, 32, 64}));
        QCOMPARE(previews.size(), 5);

        // A 16x16 model renders in one go: no stages.
        GeneratorSession tiny;
        tiny.load(model_, QStringLiteral("cpu"));
        queue.setSession(tiny);
        queue.request(first);
        QVERIFY(idle.wait(10000));
        QCOMPARE(previews.size(), 5);
        QCOMPARE(frames.size(), 2);
    }

    void statesAndExportsRoundTrip()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* view = window.generatorView();
        view->seedBox()->setValue(5);
        view->classBox()->setCurrentIndex(1);
        const QImage shown = settledImage(view);
        const QString state = dir_.path() + "/state.json";
        QCOMPARE(window.saveExplorerState(state), QString());

        MainWindow other;
        QCOMPARE(other.loadExplorerState(state), QString());  // opens the model named in the state
        QCOMPARE(other.generatorView()->recipe(), view->recipe());
        QCOMPARE(settledImage(other.generatorView()), shown);

        const QString png = dir_.path() + "/export.png";
        QCOMPARE(window.exportImage(png), QString());
        QFile file(png);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const auto text = readPngText(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        QCOMPARE(text.at("dermgan:synthetic"), std::string("true"));
        QCOMPARE(text.at("dermgan:seed"), std::string("5"));
        QCOMPARE(text.at("dermgan:class"), std::string("bcc"));  // the diagnosis is in the text...
        QCOMPARE(window.session().exportFileName(view->recipe()), QString("synthetic-bcc-seed5.png"));  // ...and the name
        QCOMPARE(QImage(png).convertToFormat(QImage::Format_RGB888), shown);

        // Enlarged: every pixel repeated 4x4, and the text says that no detail was added.
        const QString large = dir_.path() + "/large.png";
        QCOMPARE(window.exportImage(large, 4), QString());
        QCOMPARE(window.session().exportFileName(view->recipe(), 4), QString("synthetic-bcc-seed5-x4.png"));
        const QImage enlarged = QImage(large).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(enlarged.size(), shown.size() * 4);
        QCOMPARE(enlarged.scaled(shown.size(), Qt::IgnoreAspectRatio, Qt::FastTransformation), shown);
        QCOMPARE(enlarged.pixel(4 * 7 + 3, 4 * 9 + 2), shown.pixel(7, 9));
        QFile largeFile(large);
        QVERIFY(largeFile.open(QIODevice::ReadOnly));
        const QByteArray largeBytes = largeFile.readAll();
        const auto largeText = readPngText(std::vector<std::uint8_t>(largeBytes.begin(), largeBytes.end()));
        QCOMPARE(largeText.at("dermgan:model_resolution"), std::string("16"));
        QVERIFY(largeText.at("dermgan:enlarged").find("nearest neighbour") != std::string::npos);
        QVERIFY(window.exportImage(dir_.path() + "/huge.png", 33).contains("1 to 32"));

        // Reliability campaign: a state of class 99 was applied (seed and all) and left the old image on
        // screen; a state that is not a JSON object gave a raw type error. Both are refused and change nothing.
        QFile saved(state);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QString stateText = QString::fromUtf8(saved.readAll());
        saved.close();
        stateText.replace(QRegularExpression("\"class\":\\s*1"), "\"class\": 99");
        stateText.replace(QRegularExpression("\"seed\":\\s*5"), "\"seed\": 3");
        const QString bad = dir_.path() + "/class99.json";
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write(stateText.toUtf8());
        badFile.close();
        const auto before = other.generatorView()->recipe();
        const QString refused = other.loadExplorerState(bad);
        QVERIFY2(refused.contains("class 99 is out of range") && refused.contains("class99.json") && !refused.contains('\n'),
                 qPrintable(refused));
        QCOMPARE(other.generatorView()->recipe(), before);
        QFile array(dir_.path() + "/array.json");
        QVERIFY(array.open(QIODevice::WriteOnly));
        array.write("[1, 2, 3]");
        array.close();
        const QString notObject = other.loadExplorerState(array.fileName());
        QVERIFY2(notObject.contains("not an explorer state") && !notObject.contains("json.exception"), qPrintable(notObject));
    }

    void mapOfLatentsOpensAPointInTheGenerator()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* map = window.embeddingView();
        MapJob job;
        job.method = QStringLiteral("pca");
        job.space = QStringLiteral("w");
        job.count = 60;
        map->setJob(job);
        QSignalSpy ready(map, &EmbeddingView::mapReady);
        map->compute();
        QVERIFY(map->busy());
        QVERIFY(ready.wait(30000));
        const auto& result = map->result();
        QCOMPARE(result.points.size(), 60);
        QCOMPARE(result.thumbnails.size(), 60);
        QCOMPARE(result.thumbnails[0].size(), QSize(16, 16));
        QCOMPARE(result.points[59].source, QString("synthetic"));  // 20 per class, classes in order
        QCOMPARE(result.points[59].classIndex, 2);
        QCOMPARE(result.points[59].seed, 59u);
        QVERIFY(result.trustworthiness > 0.5 && result.trustworthiness <= 1.0);

        map->selectPoint(59);
        auto* open = map->findChild<QPushButton*>("openInGenerator");
        QVERIFY(open && open->isEnabled());
        open->click();
        QCOMPARE(window.generatorView()->recipe().seed, 59u);
        QCOMPARE(window.generatorView()->recipe().classIndex, 2);
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.generatorView()));

        const QString csv = dir_.path() + "/map.csv";
        QCOMPARE(map->exportCsv(csv), QString());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 61);
        QVERIFY(lines.last().endsWith(",synthetic,mel,seed59"));

        // A long t-SNE cancelled at once: no map, no error, the old map stays.
        QSignalSpy failed(map, &EmbeddingView::mapFailed);
        job.method = QStringLiteral("tsne");
        job.count = 3000;
        map->setJob(job);
        map->compute();
        map->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!map->busy(), 60000);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(map->result().points.size(), 60);
    }

    void aMapSavedBesideTheModelShowsWhenItOpens()
    {
        const QString folder = dir_.path() + "/with-map";
        const QString model = writeTinyModel(folder, false, 4);  // other weights than model_
        {
            MainWindow window;
            QCOMPARE(window.openModel(model), QString());
            auto* map = window.embeddingView();
            QCOMPARE(map->result().points.size(), 0);  // nothing saved yet
            MapJob job;
            job.method = QStringLiteral("pca");
            job.space = QStringLiteral("w");
            job.count = 30;
            map->setJob(job);
            QSignalSpy ready(map, &EmbeddingView::mapReady);
            map->compute();
            QVERIFY(ready.wait(30000));
            QCOMPARE(map->exportCsv(folder + "/tiny.map.csv"), QString());
        }
        QVERIFY(QFile::exists(folder + "/tiny.map.json"));

        MainWindow window;
        QCOMPARE(window.openModel(model), QString());
        auto* map = window.embeddingView();
        QCOMPARE(map->result().points.size(), 30);  // shown at once, nothing computed
        QVERIFY(!map->busy());
        const auto point = map->result().points[29];
        QCOMPARE(point.source, QString("synthetic"));
        QVERIFY(map->result().thumbnails[29].isNull());  // a saved map stores no images...
        map->selectPoint(29);                             // ...so showing a point renders its seed
        GeneratorSession session;
        session.load(model, QStringLiteral("cpu"));
        explain::LatentRecipe recipe;
        recipe.seed = point.seed;
        recipe.classIndex = point.classIndex;
        QCOMPARE(map->result().thumbnails[29], session.render(recipe));
        auto* open = map->findChild<QPushButton*>("openInGenerator");
        QVERIFY(open && open->isEnabled());
        open->click();
        QCOMPARE(window.generatorView()->recipe().seed, point.seed);

        // Another model clears the map, and refuses this one naming both models.
        QCOMPARE(window.openModel(model_), QString());
        QCOMPARE(map->result().points.size(), 0);
        const QString error = map->openMap(folder + "/tiny.map.csv");
        QVERIFY2(error.contains("was made with model") && error.contains(session.hash()), qPrintable(error));
        QVERIFY(!error.contains('\n'));
        QCOMPARE(map->result().points.size(), 0);
        // A file that is not a map.
        QFile bad(folder + "/bad.csv");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("a,b\n1,2\n");
        bad.close();
        QFile::copy(folder + "/tiny.map.json", folder + "/bad.json");
        QCOMPARE(window.openModel(model), QString());
        QVERIFY(map->openMap(folder + "/bad.csv").contains("header x,y,source,class,id"));
        QCOMPARE(map->result().points.size(), 30);  // the saved map stays
    }

    void projectionConvergesAndOpensInTheGenerator()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        // The target: an image of this generator (seed 21, class 1), written as a 48x40 photo-like PNG so the
        // view must crop and resize it.
        explain::LatentRecipe source;
        source.seed = 21;
        source.classIndex = 1;
        GeneratorSession session;
        session.load(model_, QStringLiteral("cpu"));
        const QString photo = dir_.path() + "/photo.png";
        const QImage rendered = session.render(source);
        QVERIFY(rendered.scaled(48, 48).copy(0, 4, 48, 40).save(photo));
        // Real neighbours come from a small dataset whose bcc images are copies of the target and whose
        // other images are plain colours: the nearest real image must be one of the copies.
        const QString data = dir_.path() + "/neighbour-data";
        test::writeHamDataset(data.toStdString(), test::oneImagePerLesion(12, {"akiec", "bcc", "mel"}));
        for (int i = 1; i < 12; i += 3)
            QVERIFY(rendered.save(data + QStringLiteral("/images/I%1.jpg").arg(i), "JPG", 100));

        auto* view = window.projectionView();
        view->setImage(data + "/images/I5.jpg");  // a real image of a dataset with metadata: I5 is mel
        QCOMPARE(view->job().classIndex, 2);
        ProjectionJob job;
        job.image = photo;
        job.steps = 60;
        job.classIndex = 1;
        view->setJob(job);
        view->setNeighbourData(data);
        QSignalSpy done(view, &ProjectionView::projectionFinished);
        view->start();
        QVERIFY(view->busy());
        QVERIFY(done.wait(120000));
        const auto& outcome = view->outcome();
        QVERIFY(!outcome.cancelled);
        QCOMPARE(view->curvePoints(), 60);  // one loss point per step, drawn live
        QVERIFY(outcome.note.contains("resized"));
        QCOMPARE(outcome.projection.size(), QSize(16, 16));
        QCOMPARE(outcome.ws.size(), std::size_t(window.generatorView()->session().numWs() * 32));
        QVERIFY(outcome.ssim > 0 && outcome.ssim <= 1);
        QVERIFY(view->readout().contains("SSIM"));
        QVERIFY(view->readout().contains("No calibration beside this model"));  // the distances are not read against real lesions

        // Nearest neighbours: 3 synthetic seeds of class bcc, then 3 real images, each group nearest first.
        const auto& neighbours = outcome.neighbours;
        QCOMPARE(neighbours.size(), std::size_t(6));
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(neighbours[i].synthetic, i < 3);
            QVERIFY(neighbours[i].cosine >= -1.0 && neighbours[i].cosine <= 1.0 + 1e-6);
            if (i % 3 > 0)
                QVERIFY(neighbours[i].cosine <= neighbours[i - 1].cosine);
        }
        QCOMPARE(neighbours[0].classIndex, 1);
        QVERIFY2(neighbours[3].id.mid(1).toInt() % 3 == 1, qPrintable(neighbours[3].id));  // a copy of the target
        // The Map tab places the image and its projection on a map of this model, without refitting it.
        auto* map = window.embeddingView();
        QVERIFY2(map->projectionNote().contains("Compute or open a map"), qPrintable(map->projectionNote()));
        MapJob mapJob;
        mapJob.method = QStringLiteral("pca");
        mapJob.data = data;
        mapJob.subset = QStringLiteral("all");
        mapJob.count = 30;
        map->setJob(mapJob);
        QSignalSpy mapped(map, &EmbeddingView::mapReady);
        map->compute();
        QVERIFY(mapped.wait(120000));
        QVERIFY2(map->projectionPlaced(), qPrintable(map->projectionNote()));
        const MapProjection placement = map->projectionPlacement();
        QVERIFY(placement.hasTarget);
        const auto& nearestReal = map->result().points[placement.nearestReal];
        QCOMPARE(nearestReal.source, QString("real"));
        QVERIFY2(nearestReal.id.mid(1).toInt() % 3 == 1, qPrintable(nearestReal.id));  // a copy of the target
        QCOMPARE(map->result().points[placement.nearestSynthetic].source, QString("synthetic"));
        QVERIFY(map->projectionNote().contains(nearestReal.id));
        double minX = 1e300, maxX = -1e300, minY = 1e300, maxY = -1e300;
        for (const QPointF& p : map->result().xy)
            minX = std::min(minX, p.x()), maxX = std::max(maxX, p.x()), minY = std::min(minY, p.y()), maxY = std::max(maxY, p.y());
        for (const QPointF& p : {placement.target, placement.projection})
            QVERIFY(p.x() >= minX && p.x() <= maxX && p.y() >= minY && p.y() <= maxY);  // among the map's points
        // Saved with its vectors, the map places it again when reopened; without them it says why not.
        const QString csv = dir_.path() + "/placed.csv";
        QCOMPARE(map->exportCsv(csv), QString());
        const QString vectors = dir_.path() + "/placed.features.npy";
        QVERIFY(QFile::exists(vectors));
        QCOMPARE(map->openMap(csv), QString());
        QVERIFY(map->projectionPlaced());
        QCOMPARE(map->projectionPlacement().nearestReal, placement.nearestReal);
        QVERIFY(std::abs(map->projectionPlacement().target.x() - placement.target.x()) < 1e-3 * (maxX - minX));
        QVERIFY(QFile::copy(vectors, vectors + ".kept"));
        QFile damaged(vectors);
        QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        damaged.write("not a numpy file");
        damaged.close();
        QCOMPARE(map->openMap(csv), QString());  // the map itself still opens
        QVERIFY(!map->projectionPlaced());
        QVERIFY2(map->projectionNote().contains("placed.features.npy"), qPrintable(map->projectionNote()));
        QVERIFY(QFile::remove(vectors));
        QCOMPARE(map->openMap(csv), QString());
        QVERIFY2(map->projectionNote().contains("keeps no vectors"), qPrintable(map->projectionNote()));
        QVERIFY(QFile::rename(vectors + ".kept", vectors));
        QCOMPARE(map->openMap(csv), QString());
        QVERIFY(map->projectionPlaced());
        auto* showOnMap = view->findChild<QPushButton*>("showProjectionOnMap");
        QVERIFY(showOnMap && showOnMap->isEnabled());
        showOnMap->click();
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(map));
        window.tabs()->setCurrentWidget(view);

        const auto tiles = view->neighbourTiles();
        QCOMPARE(tiles.size(), 6);
        QVERIFY(tiles[3]->text().contains("real"));
        tiles[1]->click();  // a synthetic neighbour opens as its seed
        QCOMPARE(window.generatorView()->recipe().seed, neighbours[1].seed);
        QCOMPARE(window.generatorView()->recipe().classIndex, 1);
        window.undoStack()->undo();
        window.tabs()->setCurrentWidget(view);

        auto* open = view->findChild<QPushButton*>("openProjection");
        QVERIFY(open && open->isEnabled());
        open->click();
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.generatorView()));
        QCOMPARE(window.generatorView()->recipe().ws, outcome.ws);
        QCOMPARE(window.generatorView()->recipe().classIndex, 1);
        const QImage opened = settledImage(window.generatorView());
        QVERIFY(!opened.isNull());
        // A W projection is named as one (not W+), and the seed box no longer shows the old seed.
        const QString frameInfo = window.generatorView()->findChild<QLabel*>("frameInfo")->text();
        QVERIFY2(frameInfo.startsWith("W latent"), qPrintable(frameInfo));
        QCOMPARE(window.generatorView()->seedBox()->value(), -1);
        QVERIFY(window.generatorView()->seedBox()->text().startsWith("none"));
        window.undoStack()->undo();  // back to the seeded image
        QVERIFY(window.generatorView()->recipe().ws.empty());
        QCOMPARE(window.generatorView()->seedBox()->value(), int(window.generatorView()->recipe().seed));

        // A trivial image is said to be one and never ranked as close.
        const QString dot = dir_.path() + "/dot.png";
        QVERIFY(QImage(QSize(1, 1), QImage::Format_RGB888).save(dot));
        view->setImage(dot);
        QSignalSpy trivialDone(view, &ProjectionView::projectionFinished);
        view->start();
        QVERIFY(trivialDone.wait(120000));
        QVERIFY(view->outcome().outOfDistribution);
        QVERIFY2(view->readout().contains("too small") && view->readout().contains("not ranked"), qPrintable(view->readout()));
        QVERIFY2(map->projectionNote().startsWith("Not a dermoscopic photograph: its place and nearest points say little"),
                 qPrintable(map->projectionNote()));  // placed, with the caution first
        view->setImage(photo);

        view->start();  // cancelled at once: a result so far, marked cancelled, no error
        QCOMPARE(view->neighbourTiles().size(), 0);  // the last projection's neighbours leave with it
        QVERIFY(!map->projectionPlaced());            // and so do its markers on the map
        view->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!view->busy(), 60000);
        QVERIFY(view->outcome().cancelled);
    }

    void readerStudyRunsBlindSavesEveryAnswerAndResumes()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* view = window.readerStudyView();
        QVERIFY(window.tabs()->indexOf(view) >= 0);
        const QString data = dir_.path() + "/reader-data";
        test::writeHamDataset(data.toStdString(), test::oneImagePerLesion(60, {"akiec", "bcc", "mel"}));
        ReaderStudySetup setup;
        setup.reader = "R1";
        setup.dataset = data;
        setup.perSource = 4;
        setup.seed = 2;
        setup.askDiagnosis = true;
        view->setSetup(setup);
        const QString file = dir_.path() + "/study.json";
        QSignalSpy started(view, &ReaderStudyView::studyStarted);
        view->startNew(file);
        QVERIFY(started.wait(60000));
        QVERIFY(view->asking());
        QCOMPARE(view->trialCount(), 8);
        const auto& trials = view->study().trials;
        QCOMPARE(std::count_if(trials.begin(), trials.end(), [](const auto& t) { return t.synthetic; }), 4L);

        GeneratorSession session;
        session.load(model_, window.device());  // rendered where the window renders
        int syntheticChecked = 0;
        // Answers 3 images (the third one wrong), checking that a synthetic image is shown exactly as rendered:
        // no badge or mark gives it away during the test.
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(view->currentTrial(), i);
            const auto& trial = view->study().trials[static_cast<std::size_t>(i)];
            if (trial.synthetic) {
                explain::LatentRecipe recipe;
                recipe.seed = trial.seed;
                recipe.classIndex = trial.classIndex;
                const QSize shown = view->shownImage().size();
                QVERIFY(shown.width() >= 256 && shown.width() == shown.height());
                const QImage expected = session.render(recipe).scaled(shown, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
                QCOMPARE(view->shownImage().convertToFormat(QImage::Format_RGB32), expected.convertToFormat(QImage::Format_RGB32));
                ++syntheticChecked;
            }
            view->answer(i == 2 ? !trial.synthetic : trial.synthetic, 4, trial.classIndex);
            QCOMPARE(metrics::loadReaderStudy(file.toStdString()).nextTrial(), std::size_t(i + 1));  // saved at once
        }
        view->pause();
        QVERIFY(!view->asking());

        // Resumed in a new window: at the fourth image, with the answers given.
        MainWindow second;
        QCOMPARE(second.openModel(model_), QString());
        auto* resumed = second.readerStudyView();
        QSignalSpy resumedStarted(resumed, &ReaderStudyView::studyStarted);
        resumed->resume(file);
        QVERIFY(resumedStarted.wait(60000));
        QCOMPARE(resumed->currentTrial(), 3);
        QSignalSpy finished(resumed, &ReaderStudyView::studyFinished);
        while (resumed->asking()) {
            const auto& trial = resumed->study().trials[static_cast<std::size_t>(resumed->currentTrial())];
            if (trial.synthetic && syntheticChecked == 0) {
                explain::LatentRecipe recipe;
                recipe.seed = trial.seed;
                recipe.classIndex = trial.classIndex;
                const QImage expected = session.render(recipe).scaled(resumed->shownImage().size(), Qt::IgnoreAspectRatio,
                                                                      Qt::SmoothTransformation);
                QCOMPARE(resumed->shownImage().convertToFormat(QImage::Format_RGB32), expected.convertToFormat(QImage::Format_RGB32));
                ++syntheticChecked;
            }
            resumed->answer(trial.synthetic, 5, trial.classIndex);
        }
        QCOMPARE(finished.count(), 1);
        QVERIFY(syntheticChecked > 0);
        const auto results = resumed->results();
        QCOMPARE(results.answered, 8);
        QCOMPARE(results.accuracy.successes, 7);
        QCOMPARE(results.diagnosisOnReal.successes + results.diagnosisOnSynthetic.successes, 8);  // the true classes were given
        QVERIFY2(resumed->resultsText().contains("0.875"), qPrintable(resumed->resultsText()));
        QCOMPARE(resumed->exportResults(dir_.path() + "/reader-export"), QString());
        QFile csv(dir_.path() + "/reader-export.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).count('\n'), 9);
        QFile json(dir_.path() + "/reader-export.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY(json.readAll().contains("\"model_hash\""));

        // A session of another model is refused with a reason, and nothing is shown.
        MainWindow other;
        QCOMPARE(other.openModel(writeTinyModel(dir_.path() + "/other", false, 9)), QString());
        QSignalSpy failed(other.readerStudyView(), &ReaderStudyView::failed);
        other.readerStudyView()->resume(file);
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.first().first().toString().contains("another") || failed.first().first().toString().contains("not the open one"),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!other.readerStudyView()->asking());
    }

    void theWindowFitsItsScreenAfterALargerSizeWasSaved()
    {
        {
            MainWindow large;  // e.g. grown by the training panel, or saved on a bigger monitor
            large.show();
            large.resize(3000, 2000);
            QVERIFY(large.close());  // saves the geometry
        }
        MainWindow window;
        window.show();
        QCOMPARE(window.openModel(model_), QString());
        const QRect available = window.screen()->availableGeometry();
        // The saved 3000x2000 is not restored beyond the screen (as far as the window's minimum size allows).
        const QSize fits = available.size().expandedTo(window.minimumSizeHint());
        QVERIFY2(window.width() <= fits.width() && window.height() <= fits.height(),
                 qPrintable(QString("window %1x%2 on a %3x%4 screen").arg(window.width()).arg(window.height())
                                .arg(available.width()).arg(available.height())));
        // With the training panel open (three charts and a sample grid) it still fits a 1366x768 laptop
        // screen with a task bar, where it used to grow past the screen.
        window.findChild<QDockWidget*>("trainingDock")->show();
        QCoreApplication::processEvents();
        const QSize minimum = window.minimumSizeHint();
        QVERIFY2(minimum.width() <= 1366 && minimum.height() <= 728,
                 qPrintable(QString("minimum %1x%2 with the training panel").arg(minimum.width()).arg(minimum.height())));
        QVERIFY(window.height() <= fits.height());
        QSettings().remove("geometry");
        QSettings().remove("windowState");
    }

    void chartAxisLabelsAreDistinct()
    {
        // Ranges the training charts and reports meet: a 0.064 kimg run printed "0.0 0.0 0.1 0.1 0.1".
        const std::pair<double, double> ranges[] = {{0.008, 0.064}, {0.05, 0.15}, {0, 2000}, {-3e-4, 5e-4}, {0.6, 0.6}, {1, 40}};
        for (const auto& [low, high] : ranges) {
            QValueAxis axis;
            setDistinctRange(&axis, low, high);
            QVERIFY(axis.min() <= low && axis.max() >= high);
            QStringList labels;
            for (int i = 0; i < axis.tickCount(); ++i) {
                const double value = axis.min() + i * (axis.max() - axis.min()) / (axis.tickCount() - 1);
                labels << QString::asprintf(axis.labelFormat().toLatin1().constData(), value);
            }
            QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
            QVERIFY2(labels.join(' ').size() < 80, qPrintable(labels.join(' ')));  // and no more digits than needed
        }
    }

    void galleryFillsItselfWhenFirstShown()
    {
        MainWindow window;
        window.show();
        QCOMPARE(window.openModel(model_), QString());
        auto* gallery = window.galleryView();
        QSignalSpy ready(gallery, &GalleryView::galleryReady);
        window.tabs()->setCurrentWidget(gallery);  // no Generate pressed
        QVERIFY(ready.wait(30000));
        QCOMPARE(gallery->rows(), 3);
        QCOMPARE(gallery->columns(), 8);
        window.tabs()->setCurrentWidget(window.generatorView());
        window.tabs()->setCurrentWidget(gallery);  // shown again: kept, not regenerated
        QVERIFY(!gallery->busy());
        QCOMPARE(ready.count(), 1);
    }

    void galleryShowsEachClassAndExportsMarkedImages()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        auto* gallery = window.galleryView();
        gallery->setPerClass(2);
        QSignalSpy ready(gallery, &GalleryView::galleryReady);
        gallery->generate();
        QVERIFY(ready.wait(30000));
        QCOMPARE(gallery->rows(), 3);  // one row per diagnosis
        QCOMPARE(gallery->columns(), 2);
        QCOMPARE(gallery->recipeAt(2, 1).classIndex, 2);
        QCOMPARE(gallery->recipeAt(2, 1).seed, gallery->recipeAt(0, 1).seed);  // a column is one latent
        GeneratorSession session;
        session.load(model_, QStringLiteral("cpu"));
        QCOMPARE(gallery->imageAt(2, 1), session.render(gallery->recipeAt(2, 1)));
        QVERIFY(gallery->imageAt(0, 0) != gallery->imageAt(1, 0));

        const QString folder = dir_.path() + "/gallery";
        QCOMPARE(gallery->exportTo(folder), QString());
        const QStringList files = QDir(folder).entryList({"*.png"});
        QCOMPARE(files.size(), 6);
        QVERIFY(files.contains("synthetic-mel-seed1.png"));
        QFile png(QDir(folder).filePath("synthetic-mel-seed1.png"));
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray bytes = png.readAll();
        QCOMPARE(readPngText(std::vector<std::uint8_t>(bytes.begin(), bytes.end())).at("dermgan:synthetic"), std::string("true"));

        // Enlarge, then "Open in generator" from the dialog.
        QTimer::singleShot(0, [] {
            QWidget* dialog = QApplication::activeModalWidget();
            QVERIFY(dialog);
            for (auto* button : dialog->findChildren<QPushButton*>())
                if (button->text().contains("generator"))
                    button->click();
        });
        gallery->enlarge(2, 1);
        QCOMPARE(window.generatorView()->recipe().classIndex, 2);
        QCOMPARE(window.generatorView()->recipe().seed, gallery->recipeAt(2, 1).seed);
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.generatorView()));
    }

    void chartsFollowADarkPalette()
    {
        MainWindow window;
        QCOMPARE(window.openModel(model_), QString());
        const QPalette light = QApplication::palette();
        QPalette dark = light;
        dark.setColor(QPalette::Window, QColor(30, 30, 30));
        dark.setColor(QPalette::Base, QColor(20, 20, 24));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        QApplication::setPalette(dark);  // what a dark desktop scheme does (the change events are posted)
        QCoreApplication::processEvents();
        const auto views = window.findChildren<PaletteChartView*>();
        QVERIFY(views.size() >= 4);  // projection, map, evaluate, training
        for (auto* view : views) {
            QCOMPARE(view->chart()->backgroundBrush().color(), QColor(20, 20, 24));
            for (auto* axis : view->chart()->axes())
                QCOMPARE(axis->labelsBrush().color(), QColor(230, 230, 230));
        }
        QApplication::setPalette(light);
        QCoreApplication::processEvents();
        QCOMPARE(views.first()->chart()->backgroundBrush().color(), light.color(QPalette::Base));
    }

    void badFilesGiveOneLineReasons()
    {
        MainWindow window;
        QVERIFY(window.openModel(dir_.path() + "/missing.dermgan").contains("missing.dermgan"));
        QFile junk(dir_.path() + "/junk.dermgan");
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a model");
        junk.close();
        const QString error = window.openModel(junk.fileName());
        QVERIFY(!error.isEmpty() && !error.contains('\n'));
        QVERIFY(!window.generatorView()->isEnabled());  // nothing was opened
        QCOMPARE(window.openModel(model_), QString());
        // A direction file of another model is refused, and the loaded sliders stay.
        QTemporaryDir otherDir;
        writeTinyModel(otherDir.path(), true, 4);  // same architecture, other weights
        const QString refused = window.openDirections(otherDir.path() + "/tiny.directions.json");
        QVERIFY2(refused.contains("was made for model"), qPrintable(refused));
        QVERIFY(!window.openDirections(dir_.path() + "/no-such-directions.json").isEmpty());
        QCOMPARE(window.generatorView()->directionSliders().size(), std::size_t(2));
        QVERIFY(!window.loadExplorerState(junk.fileName()).isEmpty());
    }
};

QTEST_MAIN(TestExplorer)
#include "test_explorer.moc"
