#pragma once
// The embedding view: a UMAP / t-SNE / PCA scatter of real, synthetic and projected images (or of w
// vectors), computed in the background with progress and cancel. Colour tells the class (or the source),
// and the marker shape always tells the source, so colour is never the only cue. Hovering previews a
// point's image; clicking a synthetic point offers to open its seed and class in the generator. A map saved
// beside the model (<stem>.map.csv) shows as soon as the model opens. The image projected last (Project tab)
// is placed on every map shown, with the nearest real and synthetic map points ringed.
#include <optional>
#include <vector>

#include <QWidget>

#include "background_job.h"
#include "generator_session.h"
#include "map_job.h"
#include "projection_job.h"

class QChart;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QSpinBox;

namespace dermgan::ui {

class PaletteChartView;

class EmbeddingView : public QWidget {
    Q_OBJECT
public:
    explicit EmbeddingView(QWidget* parent = nullptr);

    void setSession(const GeneratorSession& session);
    void setJob(const MapJob& job);  // fills the controls
    MapJob job() const;
    void compute();                  // in the background; mapReady or mapFailed follow
    void cancel();
    bool busy() const { return job_.running(); }
    const MapResult& result() const { return result_; }
    void selectPoint(int index);     // as a click on that point does
    int selectedPoint() const { return selected_; }
    // Writes FILE and its summary FILE-stem.json (map_file.h); empty on success, else the reason.
    QString exportCsv(const QString& file) const;
    // Shows a saved map of this model (a CSV from `dermgan embed` or exportCsv); empty on success, else the reason.
    QString openMap(const QString& file);
    QString exportPng(const QString& file);
    // Places the projected image (a star) and its projection (a triangle) on this map and on every later one,
    // by their nearest map points without refitting the map (explain::placeOnMap); projectionNote() says
    // where they fell, or why they could not be placed.
    void showProjection(const ProjectionOutcome& outcome);
    // The last projection's markers leave the map (a new one runs, or it failed); `note` says why.
    void clearProjection(const QString& note);
    bool projectionPlaced() const { return placement_.neighbours > 0; }
    const MapProjection& projectionPlacement() const { return placement_; }
    QString projectionNote() const;

Q_SIGNALS:
    void mapReady();
    void mapFailed(const QString& message);
    // "Open in generator" on a synthetic point.
    void openSynthetic(quint32 seed, int classIndex);

private:
    void mapFinished();  // the background job's end: shows the map, or why there is none
    void showResult();
    void clearMap();
    void preview(int index);
    int nearestIn(QScatterSeries* series, const QPointF& point) const;
    void drawProjection();  // the projection's markers (and nothing else) on the map shown

    GeneratorSession session_;
    MapResult result_;
    QString mapFile_;  // where result_ was read from; empty when computed here
    CancellableJob<MapResult> job_{this, [this] { mapFinished(); }};
    int selected_ = -1;
    std::vector<std::pair<QScatterSeries*, std::vector<int>>> series_;  // each series' point indices

    QComboBox* method_ = nullptr;
    QComboBox* space_ = nullptr;
    QLineEdit* data_ = nullptr;
    QComboBox* subset_ = nullptr;
    QSpinBox* count_ = nullptr;
    QComboBox* colourBy_ = nullptr;
    QPushButton* computeButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QChart* chart_ = nullptr;
    PaletteChartView* chartView_ = nullptr;
    QLabel* thumbnail_ = nullptr;
    QLabel* pointInfo_ = nullptr;
    QPushButton* openButton_ = nullptr;
    QLabel* projectionInfo_ = nullptr;
    std::optional<ProjectionOutcome> projected_;
    MapProjection placement_;
    std::vector<QScatterSeries*> projectionSeries_;  // owned by the chart
};

} // namespace dermgan::ui
