#pragma once
// Renders recipes off the GUI thread with "latest wins" coalescing: while one frame renders, new requests
// replace each other, so a slider drag never queues stale frames; the newest request is rendered next.
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
    // The recipe of the last frame delivered by frameReady.
    const explain::LatentRecipe& shownRecipe() const { return shown_; }

Q_SIGNALS:
    // milliseconds: from the request of this recipe to the frame being ready.
    void frameReady(const QImage& image, double milliseconds);
    void renderFailed(const QString& message);
    void idle();

private:
    struct Result {
        QImage image;
        QString error;
    };
    void start(const explain::LatentRecipe& recipe, qint64 requestedAt);
    void finished();

    GeneratorSession session_;
    QFutureWatcher<Result> watcher_;
    QElapsedTimer clock_;
    bool running_ = false;
    explain::LatentRecipe inFlight_, shown_;
    qint64 inFlightRequestedAt_ = 0;
    std::optional<std::pair<explain::LatentRecipe, qint64>> pending_;
    int frames_ = 0;
};

} // namespace dermgan::ui
