#pragma once
// A 2-D map of real, synthetic and projected images (or of w vectors) for the embedding view, computed by
// the core (collectMapInput + UMAP / t-SNE / PCA) and handed back in Qt types. One of the UI files that see
// LibTorch (docs/ARCHITECTURE.md lists them).
#include <QImage>
#include <QList>
#include <QPointF>
#include <QString>
#include <QVector>

#include <vector>

#include "common/progress.h"
#include "generator_session.h"

namespace dermgan::ui {

struct MapJob {
    QString method = QStringLiteral("umap");   // umap, tsne, pca
    QString space = QStringLiteral("features"); // features, w
    QString data;                               // dataset folder (features)
    QString subset = QStringLiteral("test");
    int count = 1000;
    quint64 seed = 0;
    QString projections;                        // a dermgan project folder of this model (optional)
};

struct MapPointInfo {
    QString source;     // real, synthetic, projected
    QString className;
    QString id;
    int classIndex = -1;
    quint32 seed = 0;   // synthetic points
};

struct MapResult {
    QVector<QPointF> xy;
    QList<MapPointInfo> points;
    QList<QImage> thumbnails;  // one per point
    double seconds = 0;        // the map itself, without feature extraction
    double trustworthiness = 0;  // NaN when the map has too few points for it (k = 10 needs 22)
    QString method, space;
    // The mapped vectors, float [points, dimensions] row-major: what places new images on the map. Empty for
    // a saved map without its vectors file.
    std::vector<float> vectors;
    int dimensions = 0;
    QString extractorHash;  // the feature network of a features map; empty for w
    QString vectorsNote;    // why a saved map has no vectors
};

// Where a projected image and its projection fall on a map (explain::placeOnMap: by their nearest map
// points, the map itself unchanged).
struct MapProjection {
    bool hasTarget = false;       // a map of w has no place for the image itself, only for its projection
    QPointF target, projection;
    int nearestReal = -1, nearestSynthetic = -1;  // map points nearest the image (or its projection in w)
    double realDistance = 0, syntheticDistance = 0;  // L2 in the map's space
    int neighbours = 0;           // map points each position averages
};

// Runs on the calling thread (the view runs it off the GUI thread). Throws InputError, CancelledError.
MapResult runMapJob(const GeneratorSession& session, const MapJob& job, const ProgressCallback& progress);

// `imageVector` (may be empty) and `projectionVector` in the map's space. Throws InputError for vectors of
// another size or a map too small to place on.
MapProjection placeProjection(const MapResult& map, const std::vector<float>& imageVector, const std::vector<float>& projectionVector);

} // namespace dermgan::ui
