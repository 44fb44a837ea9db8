#pragma once
// Helpers for the views' background jobs (QtConcurrent + QFutureWatcher).
#include <atomic>
#include <exception>
#include <memory>

#include <QFutureWatcher>
#include <QPointer>
#include <QProgressBar>
#include <QUnhandledException>

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

} // namespace dermgan::ui
