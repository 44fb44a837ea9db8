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
    watcher_.waitForFinished();  // the worker holds a copy of the session; let it end before we go
}

void RenderQueue::setSession(const GeneratorSession& session)
{
    session_ = session;
}

void RenderQueue::request(const explain::LatentRecipe& recipe)
{
    if (running_)
        pending_ = std::make_pair(recipe, clock_.nsecsElapsed());
    else
        start(recipe, clock_.nsecsElapsed());
}

void RenderQueue::start(const explain::LatentRecipe& recipe, qint64 requestedAt)
{
    running_ = true;
    inFlight_ = recipe;
    inFlightRequestedAt_ = requestedAt;
    const GeneratorSession session = session_;
    watcher_.setFuture(QtConcurrent::run([session, recipe]() -> Result {
        try {
            return {session.render(recipe), {}};
        } catch (const std::exception& e) {
            return {{}, QString::fromStdString(e.what())};
        }
    }));
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
    } else {
        shown_ = done;
        ++frames_;
        Q_EMIT frameReady(result.image, milliseconds);
    }
    if (!running_)
        Q_EMIT idle();
}

} // namespace dermgan::ui
