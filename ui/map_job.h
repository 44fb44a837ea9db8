#pragma once
// A 2-D map of real, synthetic and projected images (or of w vectors) for the embedding view, computed by
// the core (collectMapInput + UMAP / t-SNE / PCA) and handed back in Qt types. One of the UI files that see
// LibTorch (docs/ARCHITECTURE.md lists them).
#include <QImage>
#include <QList>
#include <QPointF>
#include <QString>
#include <QVector>

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
};

// Runs on the calling thread (the view runs it off the GUI thread). Throws InputError, CancelledError.
MapResult runMapJob(const GeneratorSession& session, const MapJob& job, const ProgressCallback& progress);

} // namespace dermgan::ui
