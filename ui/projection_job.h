#pragma once
// Projection of one real image into the generator's latent space for the projection view: the core
// projector with the bundled derm perceptual distance, reported in Qt types. A LibTorch file of the UI.
#include <functional>
#include <vector>

#include <QImage>
#include <QString>

#include "generator_session.h"

namespace dermgan::ui {

struct ProjectionJob {
    QString image;          // any decodable image; centre-cropped and resized to the model's resolution
    bool wPlus = false;     // W+ (one w per layer) instead of W
    int steps = 300;
    int classIndex = -1;    // conditional models: the image's diagnosis
    // After the projection: its nearest neighbours among synthetic seeds 0..syntheticPool-1 of its class and
    // (when a dataset is given) among the dataset's training images, by derm feature cosine.
    QString neighbourData;
    int syntheticPool = 1000;
    int neighbours = 3;
};

struct ShownNeighbour {
    QImage image;
    QString id;          // real image id or "seed<N>"
    bool synthetic = false;
    quint32 seed = 0;
    int classIndex = -1;
    double cosine = 0;
};

struct ProjectionOutcome {
    QImage target, projection, difference;  // difference: |target - projection|, amplified x4
    std::vector<float> ws;                  // [numWs * wDim], for "open in generator"
    // Derm features of the image and of its projection (as a map of features holds them) and the network's
    // hash: what places both on the Map tab.
    std::vector<float> targetFeatures, projectionFeatures;
    QString featureExtractorHash;
    int classIndex = -1;
    double rmse = 0, psnr = 0, ssim = 0, perceptual = 0, featureCosine = 0;
    QString note;                            // e.g. "resized from 600x450"
    bool cancelled = false;
    std::vector<ShownNeighbour> neighbours;  // nearest synthetic first, then nearest real; none when cancelled
    QString neighbourNote;                   // where the neighbours come from, or why real ones are missing
    // Read against the model's calibration (held-out real lesions projected the same way), or why not.
    QString calibratedReading;
    bool outOfDistribution = false;          // its derm features are unlike the training lesions': not ranked
};

// Called from the worker thread after each step with (step, loss) and every 10 steps with the current
// projection (a null image otherwise); return false to cancel.
// imageLoss = perceptual + pixel term (what the readouts measure); noisePenalty = the noise maps' penalty.
using ProjectionProgress = std::function<bool(int step, double imageLoss, double noisePenalty, const QImage& current)>;

// Throws InputError (unreadable image, class missing or out of range).
ProjectionOutcome runProjection(const GeneratorSession& session, const ProjectionJob& job, const ProjectionProgress& progress);

} // namespace dermgan::ui
