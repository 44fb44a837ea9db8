#pragma once
// A random 16x16 generator with 3 classes (akiec, bcc, mel) for the explorer tests, written like a bundled
// model, optionally with a PCA direction file beside it.
#include <QString>

namespace dermgan::test {

// Writes DIR/tiny.dermgan (and DIR/tiny.directions.json) and returns the model's path.
QString writeTinyModel(const QString& dir, bool withDirections, int seed = 3);

} // namespace dermgan::test
