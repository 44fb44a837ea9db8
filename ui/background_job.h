#pragma once
// Helpers for the views' background jobs (QtConcurrent + QFutureWatcher).
#include <exception>

#include <QFutureWatcher>

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

} // namespace dermgan::ui
