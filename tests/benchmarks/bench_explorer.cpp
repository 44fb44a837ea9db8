// Slider-to-screen latency of the explorer's generate view on the CPU: the time from a slider move (the
// request made by its valueChanged) to the first image of it on screen (a coarse stage for models of 128 px
// and more) and to its full frame, for isolated moves and for a 60 Hz drag (where a new move stops the frame
// in flight and stale moves are never rendered). Goals: the bundled 64x64 model within 33 ms a frame; a
// model of the study's size (256x256, 25M parameters) shows its first stage within 50 ms of a move.
// Usage: bench_explorer [MODEL.dermgan | --study-size] [--threads 2] [--moves 120]
//   --study-size: a random conditional 256x256 generator with the reference 'auto' config's channels
//   (base 16384, max 512, z = w = 512), written to a temporary folder; its speed does not depend on training.
#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>

#include "common/runtime.h"
#include "generator_view.h"
#include "metrics/feature_extractor.h"
#include "render_queue.h"
#include "tiny_model.h"

using namespace dermgan;
using namespace dermgan::ui;

namespace {

void printStats(const char* what, std::vector<double> ms)
{
    if (ms.empty()) {
        std::printf("%-40s none\n", what);
        return;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
    std::printf("%-40s median %6.1f ms   p95 %6.1f ms   (%zu)\n", what, median, p95, ms.size());
}

// Latencies of one phase: the first image of each rendered move (a stage, or the frame when it has none)
// and the full frames.
struct Latencies {
    std::vector<double> firstImage, frame;
    bool awaitingFirst = true;
};

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QString model;
    QTemporaryDir temporary;
    int threads = 2, moves = 120;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--threads" && i + 1 < args.size())
            threads = args[++i].toInt();
        else if (args[i] == "--moves" && i + 1 < args.size())
            moves = args[++i].toInt();
        else if (args[i] == "--study-size")
            model = test::writeRandomGenerator(temporary.path() + "/study-size.dermgan", 256, 16384, 512, 0, 512);
        else
            model = args[i];
    }
    if (model.isEmpty())
        model = QString::fromStdString(metrics::bundledModelPath("ham64-cond.dermgan").string());
    configureThreads(threads);
    GeneratorSession session;
    session.load(model, QStringLiteral("cpu"));
    std::printf("%s, %dx%d, CPU, %d threads\n", qPrintable(model), session.resolution(), session.resolution(), threads);

    // The render alone, off any event loop: when each stage is ready.
    std::map<int, std::vector<double>> stageMs;
    for (int i = 0; i < 10; ++i) {
        explain::LatentRecipe recipe;
        recipe.seed = static_cast<std::uint32_t>(i);
        QElapsedTimer render;
        render.start();
        const auto stage = [&](const QImage& image) { stageMs[image.width()].push_back(render.nsecsElapsed() / 1e6); };
        const QImage frame = session.render(recipe, stage, [] { return false; });
        stageMs[frame.width()].push_back(render.nsecsElapsed() / 1e6);
    }
    for (const auto& [size, ms] : stageMs)
        printStats(qPrintable(QStringLiteral("render alone, %1x%1 %2").arg(size).arg(size == session.resolution() ? "frame" : "stage")), ms);

    QUndoStack undo;
    GeneratorView view(&undo);
    view.resize(900, 600);
    view.show();
    view.setSession(session);
    RenderQueue* queue = view.renderQueue();
    QSignalSpy idle(queue, &RenderQueue::idle);
    idle.wait(60000);

    Latencies isolated, dragged;
    QSlider* psi = view.psiSlider();
    const auto phase = [&]() -> Latencies& { return psi->isSliderDown() ? dragged : isolated; };
    QObject::connect(queue, &RenderQueue::previewReady, [&](const QImage&, double ms) {
        if (std::exchange(phase().awaitingFirst, false))
            phase().firstImage.push_back(ms);
    });
    QObject::connect(queue, &RenderQueue::frameReady, [&](const QImage&, double ms) {
        if (std::exchange(phase().awaitingFirst, true))
            phase().firstImage.push_back(ms);
        phase().frame.push_back(ms);
    });
    QObject::connect(queue, &RenderQueue::idle, [&] { phase().awaitingFirst = true; });
    const int stoppedBefore = queue->framesStopped();
    for (int i = 0; i < moves / 2; ++i) {  // isolated moves: each waits for its frame
        psi->setValue(i % 2 ? 70 : 80);
        idle.wait(60000);
    }
    psi->setSliderDown(true);
    QElapsedTimer clock;
    clock.start();
    int step = 0;
    QTimer drag;
    drag.setInterval(16);  // a 60 Hz mouse drag
    QObject::connect(&drag, &QTimer::timeout, [&] {
        dragged.awaitingFirst = true;  // a new move: the next image on screen is its first
        psi->setValue(50 + (step * 3) % 100);
        if (++step >= moves)
            drag.stop();
    });
    drag.start();
    while (drag.isActive())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    if (queue->busy())
        idle.wait(60000);
    const double seconds = clock.elapsed() / 1000.0;
    psi->setSliderDown(false);
    printStats("isolated move -> first image on screen", isolated.firstImage);
    printStats("isolated move -> full frame", isolated.frame);
    printStats("60 Hz drag, move -> first image on screen", dragged.firstImage);
    printStats("60 Hz drag, move -> full frame", dragged.frame);
    std::printf("drag: %d moves in %.2f s: %zu moves reached the screen (%.1f/s), %zu full frames, %d frames stopped "
                "by a newer move, the rest never started\n",
                moves, seconds, dragged.firstImage.size(), dragged.firstImage.size() / seconds, dragged.frame.size(),
                queue->framesStopped() - stoppedBefore);
    return 0;
}
