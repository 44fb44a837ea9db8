#pragma once
// What the reader study view needs from the core, off the GUI thread: a new study's plan with its images,
// or a saved session's images again. Real images are decoded from the dataset at the model's resolution
// (centre crop and resize, as for training and the metrics), synthetic ones rendered by the open model at
// the same size, so the two kinds differ only in where they come from. A LibTorch file of the UI.
#include <QImage>
#include <QList>
#include <QString>

#include "common/progress.h"
#include "generator_session.h"
#include "metrics/reader_study.h"

namespace dermgan::ui {

struct ReaderStudySetup {
    QString reader;
    QString dataset;                      // real images: a dataset folder (the model's training data by default)
    QString subset = QStringLiteral("test");  // a held-out split of the model's lesion-grouped split
    int perSource = 20;                   // real images, and as many synthetic ones
    double psi = 1.0;
    quint64 seed = 0;
    bool askDiagnosis = false;
};

struct PreparedStudy {
    metrics::ReaderStudySession session;
    QList<QImage> images;  // one per trial, in the order shown
};

// Plans a new study (metrics::planReaderTrials) and makes its images. The split is the model's own (its
// recorded split seed), so "test" holds lesions the model never saw when the dataset is its training data.
// Throws InputError (no model, unreadable dataset, too few images).
PreparedStudy prepareReaderStudy(const GeneratorSession& session, const ReaderStudySetup& setup, const ProgressCallback& progress);

// The images of a saved session, to resume it or to show its results. Throws InputError when the session
// was made with another model or its real images are no longer in its dataset.
PreparedStudy reloadReaderStudy(const GeneratorSession& session, const metrics::ReaderStudySession& saved,
                                const ProgressCallback& progress);

} // namespace dermgan::ui
