// Slider-to-frame latency of the explorer's generate view on the CPU: the time from a slider move (the
// request made by its valueChanged) to the rendered frame, for isolated moves and for a 60 Hz drag (where
// latest-wins coalescing skips stale frames). Goal: a frame within 33 ms on 2 threads.
// Usage: bench_explorer [MODEL.dermgan] [--threads 2] [--moves 120]   (default model: the bundled one)
#include <algorithm>
#include <cstdio>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QTimer>
#include <QUndoStack>

#include "common/runtime.h"
#include "generator_view.h"
#include "metrics/feature_extractor.h"
#include "render_queue.h"

using namespace dermgan;
using namespace dermgan::ui;

namespace {

void printStats(const char* what, std::vector<double> ms)
{
    if (ms.empty()) {
        std::printf("%-34s no frames\n", what);
        return;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
    std::printf("%-34s median %6.1f ms   p95 %6.1f ms   (%zu frames)\n", what, median, p95, ms.size());
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QString model;
    int threads = 2, moves = 120;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--threads" && i + 1 < args.size())
            threads = args[++i].toInt();
        else if (args[i] == "--moves" && i + 1 < args.size())
            moves = args[++i].toInt();
        else
            model = args[i];
    }
    if (model.isEmpty())
        model = QString::fromStdString(metrics::bundledModelPath("ham64-cond.dermgan").string());
    configureThreads(threads);
    GeneratorSession session;
    session.load(model, QStringLiteral("cpu"));
    std::printf("%s, %dx%d, CPU, %d threads\n", qPrintable(model), session.resolution(), session.resolution(), threads);

    QUndoStack undo;
    GeneratorView view(&undo);
    view.resize(900, 600);
    view.show();
    view.setSession(session);
    QSignalSpy idle(view.renderQueue(), &RenderQueue::idle);
    idle.wait(30000);

    std::vector<double> isolated, dragged;
    QObject::connect(&view, &GeneratorView::frameShown, [&](double ms) { (view.psiSlider()->isSliderDown() ? dragged : isolated).push_back(ms); });
    QSlider* psi = view.psiSlider();
    for (int i = 0; i < moves / 2; ++i) {  // isolated moves: each waits for its frame
        psi->setValue(i % 2 ? 70 : 80);
        idle.wait(10000);
    }
    psi->setSliderDown(true);
    QElapsedTimer clock;
    clock.start();
    int step = 0;
    QTimer drag;
    drag.setInterval(16);  // a 60 Hz mouse drag
    QObject::connect(&drag, &QTimer::timeout, [&] {
        psi->setValue(50 + (step * 3) % 100);
        if (++step >= moves)
            drag.stop();
    });
    drag.start();
    while (drag.isActive())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    if (view.renderQueue()->busy())
        idle.wait(10000);
    const double seconds = clock.elapsed() / 1000.0;
    psi->setSliderDown(false);
    printStats("isolated slider move -> frame", isolated);
    printStats("60 Hz drag, move -> frame", dragged);
    std::printf("drag: %d moves in %.2f s, %zu frames shown (%.1f frames/s), the rest coalesced\n", moves, seconds, dragged.size(),
                dragged.size() / seconds);
    return 0;
}
