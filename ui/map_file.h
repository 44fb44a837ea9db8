#pragma once
// Maps on disk, so that a map computed once opens at once: the CSV (x, y, source, class, id) with a JSON
// summary beside it (the model's hash, method, space, trustworthiness). `dermgan embed` writes
// embedding.csv + embed.json, the Map tab's export writes NAME.csv + NAME.json, and a model may ship one
// as <stem>.map.csv + <stem>.map.json, shown as soon as the model opens. Points carry no images: synthetic
// ones are re-rendered from their seed, real ones are not stored (the data's licence stays with the data).
#include <QString>

#include "generator_session.h"
#include "map_job.h"

namespace dermgan::ui {

// The summary of `csv`: NAME.json beside NAME.csv, else embed.json in the same folder; empty if neither.
QString mapSummaryPath(const QString& csv);
// <stem>.map.csv beside the session's model when it exists, else empty.
QString bundledMapPath(const GeneratorSession& session);

// Throws InputError (one line) for a missing or malformed file, or a map made with another model.
// Thumbnails are null images (the view renders synthetic ones when shown).
MapResult readMapFile(const GeneratorSession& session, const QString& csv);
// Writes both files atomically; returns the reason on failure, else empty.
QString writeMapFile(const MapResult& map, const GeneratorSession& session, const QString& csv);

} // namespace dermgan::ui
