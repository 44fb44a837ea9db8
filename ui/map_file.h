#pragma once
// Maps on disk, so that a map computed once opens at once: the CSV (x, y, source, class, id) with a JSON
// summary beside it (the model's hash, method, space, trustworthiness). `dermgan embed` writes
// embedding.csv + embed.json, the Map tab's export writes NAME.csv + NAME.json, and a model may ship one
// as <stem>.map.csv + <stem>.map.json (+ <stem>.map.features.npy, the vectors that place projections on it),
// shown as soon as the model opens. Points carry no images: synthetic
// ones are re-rendered from their seed, real ones are not stored (the data's licence stays with the data).
// The .cpp sees LibTorch (io/npy) for the vectors.
#include <QString>

#include "generator_session.h"
#include "map_job.h"

namespace dermgan::ui {

// The summary of `csv`: NAME.json beside NAME.csv, else embed.json in the same folder; empty if neither.
QString mapSummaryPath(const QString& csv);
// The mapped vectors of `csv`: NAME.features.npy beside NAME.csv, else features.npy in the same folder (what
// dermgan embed writes); empty if neither.
QString mapVectorsPath(const QString& csv);
// <stem>.map.csv beside the session's model when it exists, else empty.
QString bundledMapPath(const GeneratorSession& session);

// Throws InputError (one line) for a missing or malformed file, or a map made with another model.
// Thumbnails are null images (the view renders synthetic ones when shown). The vectors are read when their
// file is there; when it is missing or unusable the map still opens, and vectorsNote says why it has none.
MapResult readMapFile(const GeneratorSession& session, const QString& csv);
// A saved map's vectors (float32 .npy, rows in the CSV's order) into map.vectors. Throws InputError (one line
// naming the file) when it is unreadable or its rows are not the map's points.
void readMapVectors(MapResult& map, const QString& npy);
// Writes map.vectors atomically; empty on success, else the reason.
QString writeMapVectors(const MapResult& map, const QString& npy);
// Writes the CSV, its summary and (when the map has them) its vectors, each atomically; returns the reason on
// failure, else empty.
QString writeMapFile(const MapResult& map, const GeneratorSession& session, const QString& csv);

} // namespace dermgan::ui
