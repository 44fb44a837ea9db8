#pragma once
// The views' background jobs (QtConcurrent + QFutureWatcher): one cancellable job type and its helpers.
#include <atomic>
#include <exception>
#include <memory>

#include <QFutureWatcher>
#include <QPointer>
#include <QProgressBar>
#include <QUnhandledException>
#include <QtConcurrent/QtConcurrentRun>

#include "common/progress.h"

namespace dermgan::ui {

// Waits for a job before its view goes away. Qt 6 rethrows the job's exception from waitForFinished; at
// that point a failure was either reported already or is of no interest (the view is closing).
template <typename T>
void finishQuietly(QFutureWatcher<T>& watcher)
{
    try {
        watcher.waitForFinished();
    } catch (const std::exception&) {
    }
}

// The job's result, or its own exception: Qt 6 wraps an exception that is not a QException in a
// QUnhandledException whose what() says only "std::exception"; this rethrows the one inside, so that
// views show the core's one-line message.
template <typename T>
T resultOrError(QFutureWatcher<T>& watcher)
{
    try {
        return watcher.result();
    } catch (const QUnhandledException& wrapped) {
        if (wrapped.exception())
            std::rethrow_exception(wrapped.exception());
        throw;
    }
}

// A core job's progress callback, called on the job's thread: shows each stage in `bar` (queued to the GUI
// thread; nothing once the bar is gone) and asks the job to stop once `stop` is set.
inline ProgressCallback progressToBar(QProgressBar* bar, std::shared_ptr<std::atomic<bool>> stop)
{
    return [bar = QPointer<QProgressBar>(bar), stop](const Progress& p) {
        QMetaObject::invokeMethod(bar, [bar, p] {
            if (!bar)
                return;
            bar->setRange(0, static_cast<int>(p.total));
            bar->setValue(static_cast<int>(p.done));
            bar->setFormat(QString::fromStdString(p.stage) + QStringLiteral(" %p%"));
        }, Qt::QueuedConnection);
        return !stop->load();
    };
}

// A view's background job with one cancel path, as in Qt's mandelbrot example: each run has its own stop
// flag, cancel() sets it, and the destructor cancels and waits, so that no job outlives its view. One run at
// a time: start() does nothing while one runs.
template <typename T>
class CancellableJob {
public:
    using StopFlag = std::shared_ptr<std::atomic<bool>>;

    // `onFinished` runs on `context`'s thread whenever a run ends (done, failed or cancelled); running() is
    // false by then.
    template <typename Slot>
    CancellableJob(QObject* context, Slot onFinished)
    {
        QObject::connect(&watcher_, &QFutureWatcher<T>::finished, context, [this, onFinished] {
            running_ = false;
            onFinished();
        });
    }
    ~CancellableJob()
    {
        cancel();
        finishQuietly(watcher_);
    }
    CancellableJob(const CancellableJob&) = delete;
    CancellableJob& operator=(const CancellableJob&) = delete;

    // Calls `makeWork(stop)` here, on the GUI thread (where progressToBar and QPointers are made), and runs
    // the callable it returns, `T()`, on Qt's thread pool. Returns false, starting nothing, while a run is on.
    template <typename MakeWork>
    bool start(MakeWork makeWork)
    {
        if (running_)
            return false;
        auto stop = std::make_shared<std::atomic<bool>>(false);
        auto work = makeWork(stop);  // may throw: nothing is running then
        stop_ = std::move(stop);
        watcher_.setFuture(QtConcurrent::run(std::move(work)));
        running_ = true;
        return true;
    }
    // Asks the current run, if any, to stop at its next check; its onFinished still comes.
    void cancel()
    {
        if (stop_ && running_)
            stop_->store(true);
    }
    bool running() const { return running_; }
    // Whether the last run was asked to stop.
    bool cancelled() const { return stop_ && stop_->load(); }
    // The last run's result, or its own exception (resultOrError). Only from onFinished or later.
    T result() { return resultOrError(watcher_); }

private:
    QFutureWatcher<T> watcher_;
    StopFlag stop_;
    bool running_ = false;
};

} // namespace dermgan::ui
