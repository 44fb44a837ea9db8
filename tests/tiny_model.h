#pragma once
// Random generators written like bundled models: a tiny 16x16 one with 3 classes (akiec, bcc, mel) for the
// explorer tests, optionally with a PCA direction file beside it, and larger ones for the progressive render.
#include <QString>

namespace dermgan::test {

// Writes DIR/tiny.dermgan (and DIR/tiny.directions.json) and returns the model's path.
QString writeTinyModel(const QString& dir, bool withDirections, int seed = 3);

// Writes FILE: a random conditional generator (3 classes, z = w = 32 unless given) of `resolution` px with
// min(channelBase / r, channelMax) channels at resolution r. Returns FILE.
QString writeRandomGenerator(const QString& file, int resolution, int channelBase, int channelMax, int seed = 3,
                             int latentDim = 32);

} // namespace dermgan::test
