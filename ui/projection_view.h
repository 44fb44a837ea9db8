#pragma once
// The projection view: open or drop a real image, choose W or W+ and the steps, and watch the projector
// bring the generator's image toward it (live loss curve, current image, difference map), with Cancel; then
// read how close it came (pixel RMSE, PSNR, SSIM, perceptual and feature distances) and its nearest real and
// synthetic neighbours, and continue editing the projected latent (or a neighbour's seed) in the generator.
#include <QWidget>

#include "background_job.h"
#include "generator_session.h"
#include "projection_job.h"

class QChart;
class QComboBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QProgressBar;
class QPushButton;
class QLineEdit;
class QSpinBox;
class QToolButton;
class QValueAxis;
class QHBoxLayout;

namespace dermgan::ui {

class SyntheticImageView;

class ProjectionView : public QWidget {
    Q_OBJECT
public:
    explicit ProjectionView(QWidget* parent = nullptr);

    void setSession(const GeneratorSession& session);
    void setImage(const QString& path);  // shows it as the target
    void setJob(const ProjectionJob& job);
    ProjectionJob job() const;
    void start();
    void cancel();
    bool busy() const { return job_.running(); }
    const ProjectionOutcome& outcome() const { return outcome_; }
    QString readout() const;
    int curvePoints() const;
    void setNeighbourData(const QString& dataset);
    // The neighbour tiles on screen, nearest synthetic first (objectName neighbour0, neighbour1, ...).
    QList<QToolButton*> neighbourTiles() const;

Q_SIGNALS:
    void projectionStarted();  // the last outcome is gone from this view
    void projectionFinished();
    void projectionFailed(const QString& message);
    void openProjected(const std::vector<float>& ws, int classIndex);
    void openSynthetic(quint32 seed, int classIndex);
    void showOnMap();  // "Show on map": the Map tab already places every finished projection

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void step(int step, double imageLoss, double noisePenalty, const QImage& current);
    void finished();
    void showNeighbours();

    GeneratorSession session_;
    QString image_;
    ProjectionOutcome outcome_;
    CancellableJob<ProjectionOutcome> job_{this, [this] { finished(); }};

    QLabel* target_ = nullptr;
    SyntheticImageView* projection_ = nullptr;
    QLabel* difference_ = nullptr;
    QComboBox* class_ = nullptr;
    QComboBox* space_ = nullptr;
    QSpinBox* steps_ = nullptr;
    QPushButton* startButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* openButton_ = nullptr;
    QPushButton* mapButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* readout_ = nullptr;
    QLineEdit* neighbourData_ = nullptr;
    QHBoxLayout* neighbourRow_ = nullptr;
    QLabel* neighbourNote_ = nullptr;
    QChart* chart_ = nullptr;
    QLineSeries* loss_ = nullptr;          // the image loss: perceptual + pixel
    QLineSeries* noisePenalty_ = nullptr;  // the noise maps' penalty, apart: it spikes while the image loss falls
    QValueAxis* stepAxis_ = nullptr;
    QLogValueAxis* lossAxis_ = nullptr;
    QLabel* targetCaption_ = nullptr;
    double maxLoss_ = 0, minLoss_ = 1e300;
};

} // namespace dermgan::ui
