#pragma once
// Renders recipes off the GUI thread with "latest wins" coalescing: while one frame renders, new requests
// replace each other, so a slider drag never queues stale frames. Models of 128 px and more show coarse
// stages first, and a new request stops their frame in flight once it has shown a stage (Qt's mandelbrot
// example shows coarse passes and restarts the same way).
#include <atomic>
#include <memory>
#include <optional>

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QImage>
#include <QObject>

#include "explain/latent_recipe.h"
#include "generator_session.h"

namespace dermgan::ui {

class RenderQueue : public QObject {
    Q_OBJECT
public:
    explicit RenderQueue(QObject* parent = nullptr);
    ~RenderQueue() override;

    void setSession(const GeneratorSession& session);
    void request(const explain::LatentRecipe& recipe);

    bool busy() const { return running_; }
    int framesRendered() const { return frames_; }
    int framesStopped() const { return stopped_; }  // frames a newer request stopped before they were done
    // The recipe of the last frame delivered by frameReady.
    const explain::LatentRecipe& shownRecipe() const { return shown_; }

Q_SIGNALS:
    // milliseconds: from the request of this recipe to the frame being ready.
    void frameReady(const QImage& image, double milliseconds);
    // A coarse stage of the frame in flight (its own size, e.g. 16x16 of a 256x256 model); milliseconds as above.
    void previewReady(const QImage& image, double milliseconds);
    void renderFailed(const QString& message);
    void idle();

private:
    struct Result {
        QImage image;  // null when the frame was stopped
        QString error;
    };
    void start(const explain::LatentRecipe& recipe, qint64 requestedAt);
    void finished();
    void deliverPreview(const QImage& image, int frame);

    GeneratorSession session_;
    QFutureWatcher<Result> watcher_;
    QElapsedTimer clock_;
    bool running_ = false;
    struct StopFlags {
        std::atomic<bool> newerRequest{false};  // stops the frame once it has shown a stage
        std::atomic<bool> closing{false};       // stops it at once: nobody will see it
    };
    std::shared_ptr<StopFlags> stopInFlight_;
    int inFlightFrame_ = 0;  // numbers the frames started, so a late preview of a stopped one is dropped
    explain::LatentRecipe inFlight_, shown_;
    qint64 inFlightRequestedAt_ = 0;
    std::optional<std::pair<explain::LatentRecipe, qint64>> pending_;
    int frames_ = 0, stopped_ = 0;
};

} // namespace dermgan::ui
