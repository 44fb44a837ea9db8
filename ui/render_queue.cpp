#include "render_queue.h"

#include <QtConcurrent/QtConcurrentRun>

namespace dermgan::ui {

RenderQueue::RenderQueue(QObject* parent) : QObject(parent)
{
    clock_.start();
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &RenderQueue::finished);
}

RenderQueue::~RenderQueue()
{
    if (stopInFlight_)
        stopInFlight_->closing.store(true);
    watcher_.waitForFinished();  // the worker holds a copy of the session and posts to us; let it end before we go
}

void RenderQueue::setSession(const GeneratorSession& session)
{
    session_ = session;
}

void RenderQueue::request(const explain::LatentRecipe& recipe)
{
    if (running_) {
        pending_ = std::make_pair(recipe, clock_.nsecsElapsed());
        stopInFlight_->newerRequest.store(true);
    } else {
        start(recipe, clock_.nsecsElapsed());
    }
}

void RenderQueue::start(const explain::LatentRecipe& recipe, qint64 requestedAt)
{
    running_ = true;
    inFlight_ = recipe;
    inFlightRequestedAt_ = requestedAt;
    stopInFlight_ = std::make_shared<StopFlags>();
    const int frame = ++inFlightFrame_;
    const GeneratorSession session = session_;
    const auto stop = stopInFlight_;
    watcher_.setFuture(QtConcurrent::run([this, session, recipe, stop, frame]() -> Result {
        try {
            // A frame stops for a newer request only once it has put a stage on screen, so that a drag
            // faster than a stage still shows something (a frame without stages renders to the end).
            bool staged = false;
            const auto preview = [this, frame, &staged](const QImage& image) {
                staged = true;
                // Queued to the GUI thread; Qt drops it if this queue is gone by then.
                QMetaObject::invokeMethod(this, [this, image, frame] { deliverPreview(image, frame); }, Qt::QueuedConnection);
            };
            return {session.render(recipe, preview, [&stop, &staged] { return stop->closing.load() || (staged && stop->newerRequest.load()); }),
                    {}};
        } catch (const std::exception& e) {
            return {{}, QString::fromStdString(e.what())};
        }
    }));
}

void RenderQueue::deliverPreview(const QImage& image, int frame)
{
    // A stage of the newest frame started is still newer than what is on screen, even if a request waits.
    if (running_ && frame == inFlightFrame_)
        Q_EMIT previewReady(image, (clock_.nsecsElapsed() - inFlightRequestedAt_) / 1e6);
}

void RenderQueue::finished()
{
    const Result result = watcher_.result();
    const explain::LatentRecipe done = inFlight_;
    running_ = false;
    const double milliseconds = (clock_.nsecsElapsed() - inFlightRequestedAt_) / 1e6;
    if (pending_) {
        const auto [recipe, requestedAt] = *pending_;
        pending_.reset();
        start(recipe, requestedAt);
    }
    if (!result.error.isEmpty()) {
        Q_EMIT renderFailed(result.error);
    } else if (result.image.isNull()) {
        ++stopped_;
    } else {
        shown_ = done;
        ++frames_;
        Q_EMIT frameReady(result.image, milliseconds);
    }
    if (!running_)
        Q_EMIT idle();
}

} // namespace dermgan::ui
