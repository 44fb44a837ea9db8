#pragma once
// Helpers for the views' background jobs (QtConcurrent + QFutureWatcher).
#include <exception>

#include <QFutureWatcher>
#include <QUnhandledException>

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

} // namespace dermgan::ui
