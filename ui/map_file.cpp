#include "map_file.h"

#include <cmath>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTextStream>

#include <torch/torch.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/npy.h"

namespace dermgan::ui {

namespace {

[[noreturn]] void fail(const QString& message) { throw InputError(message.toStdString()); }

} // namespace

void readMapVectors(MapResult& map, const QString& npy)
{
    const auto vectors = readingFile(npy.toStdString(), "a float32 [points, dimensions] .npy in the map's row order", [&] {
        const auto read = readNpy(npy.toStdString());
        if (read.scalar_type() != torch::kFloat32)
            throw InputError("it holds " + std::string(c10::toString(read.scalar_type())) + " values, not float32");
        if (read.dim() != 2)
            throw InputError("it has " + std::to_string(read.dim()) + " dimensions, not 2");
        if (read.size(0) != map.points.size())
            throw InputError("it has " + std::to_string(read.size(0)) + " rows for the map's " + std::to_string(map.points.size()) +
                             " points");
        return read.contiguous();
    });
    map.vectors.assign(vectors.data_ptr<float>(), vectors.data_ptr<float>() + vectors.numel());
    map.dimensions = static_cast<int>(vectors.size(1));
}

QString writeMapVectors(const MapResult& map, const QString& npy)
{
    try {
        auto copy = map.vectors;
        writeNpy(npy.toStdString(), torch::from_blob(copy.data(), {static_cast<int64_t>(map.points.size()), map.dimensions}));
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

namespace {

// NAME<suffix> beside NAME.csv when it exists, else `embedName` in the same folder when that exists and
// `embedFolder` says the CSV is a `dermgan embed` folder's; else empty.
QString besideMap(const QString& csv, const QString& suffix, const QString& embedName, bool embedFolder)
{
    const QFileInfo info(csv);
    const QString named = info.dir().filePath(info.completeBaseName() + suffix);
    if (QFileInfo::exists(named))
        return named;
    const QString embed = info.dir().filePath(embedName);
    return embedFolder && QFileInfo::exists(embed) ? embed : QString();
}

} // namespace

QString mapSummaryPath(const QString& csv)
{
    return besideMap(csv, QStringLiteral(".json"), QStringLiteral("embed.json"), true);
}

QString mapVectorsPath(const QString& csv)
{
    // features.npy belongs to the embedding.csv of a `dermgan embed` folder, not to any CSV beside it.
    return besideMap(csv, QStringLiteral(".features.npy"), QStringLiteral("features.npy"),
                     mapSummaryPath(csv).endsWith(QLatin1String("/embed.json")));
}

QString bundledMapPath(const GeneratorSession& session)
{
    if (!session.isLoaded())
        return {};
    const QFileInfo model(session.path());
    const QString csv = model.dir().filePath(model.completeBaseName() + QStringLiteral(".map.csv"));
    return QFileInfo::exists(csv) ? csv : QString();
}

MapResult readMapFile(const GeneratorSession& session, const QString& csv)
{
    QFile file(csv);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("cannot read the map %1; expected a CSV written by dermgan embed or the Map tab").arg(csv));
    const QString summaryPath = mapSummaryPath(csv);
    QFile summaryFile(summaryPath);
    if (summaryPath.isEmpty() || !summaryFile.open(QIODevice::ReadOnly))
        fail(QStringLiteral("the map %1 has no summary beside it; expected %2 or embed.json")
                 .arg(csv, QFileInfo(csv).completeBaseName() + QStringLiteral(".json")));
    const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
    const QString hash = summary.value(QStringLiteral("model_hash")).toString();
    if (hash != session.hash())
        fail(QStringLiteral("the map %1 was made with model %2, not with the open model (%3)")
                 .arg(csv, hash.isEmpty() ? QStringLiteral("(unknown)") : hash, session.hash()));

    MapResult map;
    map.method = summary.value(QStringLiteral("method")).toString();
    map.space = summary.value(QStringLiteral("space")).toString();
    map.trustworthiness = summary.value(QStringLiteral("trustworthiness_k10")).toDouble(std::nan(""));  // null: too few points
    map.seconds = summary.value(QStringLiteral("seconds")).toDouble();
    map.extractorHash = summary.value(QStringLiteral("extractor_hash")).toString();
    const QStringList classes = session.classNames();
    QTextStream in(&file);
    if (in.readLine().trimmed() != QLatin1String("x,y,source,class,id"))
        fail(QStringLiteral("the map %1 does not start with the header x,y,source,class,id").arg(csv));
    for (int line = 2; !in.atEnd(); ++line) {
        const QString text = in.readLine().trimmed();
        if (text.isEmpty())
            continue;
        const QStringList fields = text.split(QLatin1Char(','));
        bool okX = false, okY = false;
        const double x = fields.value(0).toDouble(&okX), y = fields.value(1).toDouble(&okY);
        if (fields.size() != 5 || !okX || !okY || !std::isfinite(x) || !std::isfinite(y))  // "nan" parses as a number
            fail(QStringLiteral("the map %1, line %2, is not x,y,source,class,id with finite x and y").arg(csv).arg(line));
        MapPointInfo point{fields[2], fields[3], fields[4], static_cast<int>(classes.indexOf(fields[3])), 0};
        if (point.source == QLatin1String("synthetic")) {
            bool ok = false;
            point.seed = fields[4].mid(4).toUInt(&ok);  // "seed<N>"
            if (!fields[4].startsWith(QLatin1String("seed")) || !ok)
                fail(QStringLiteral("the map %1, line %2: a synthetic point's id must be seed<N>").arg(csv).arg(line));
        }
        map.xy.push_back(QPointF(x, y));
        map.points.push_back(point);
        map.thumbnails.push_back(QImage());
    }
    if (map.points.isEmpty())
        fail(QStringLiteral("the map %1 has no points").arg(csv));
    if (const QString vectors = mapVectorsPath(csv); vectors.isEmpty()) {
        map.vectorsNote = QObject::tr("this saved map keeps no vectors (%1.features.npy)").arg(QFileInfo(csv).completeBaseName());
    } else {
        try {
            readMapVectors(map, vectors);
        } catch (const std::exception& e) {
            map.vectorsNote = QString::fromStdString(e.what());
        }
    }
    return map;
}

QString writeMapFile(const MapResult& map, const GeneratorSession& session, const QString& csv)
{
    if (map.points.isEmpty())
        return QObject::tr("no map to export: compute one first");
    QSaveFile table(csv);  // atomic: written to a temporary file, renamed on commit
    if (!table.open(QIODevice::WriteOnly))
        return QObject::tr("cannot write %1").arg(csv);
    QTextStream text(&table);
    text << "x,y,source,class,id\n";
    for (int i = 0; i < map.points.size(); ++i)
        text << map.xy[i].x() << ',' << map.xy[i].y() << ',' << map.points[i].source << ',' << map.points[i].className << ','
             << map.points[i].id << '\n';
    text.flush();
    const QFileInfo info(csv);
    QSaveFile summary(info.dir().filePath(info.completeBaseName() + QStringLiteral(".json")));
    if (!summary.open(QIODevice::WriteOnly))
        return QObject::tr("cannot write %1").arg(summary.fileName());
    const QJsonObject json{{QStringLiteral("model"), session.path()},
                           {QStringLiteral("model_hash"), session.hash()},
                           {QStringLiteral("method"), map.method},
                           {QStringLiteral("space"), map.space},
                           {QStringLiteral("points"), static_cast<int>(map.points.size())},
                           {QStringLiteral("seconds"), map.seconds},
                           {QStringLiteral("trustworthiness_k10"), std::isfinite(map.trustworthiness) ? QJsonValue(map.trustworthiness) : QJsonValue()},
                           {QStringLiteral("extractor_hash"), map.extractorHash}};
    summary.write(QJsonDocument(json).toJson());
    if (!table.commit() || !summary.commit())
        return QObject::tr("cannot move the export into place at %1").arg(csv);
    const QString vectors = info.dir().filePath(info.completeBaseName() + QStringLiteral(".features.npy"));
    if (map.vectors.empty()) {  // an older file of that name would be paired with this map
        QFile::remove(vectors);
        return {};
    }
    return writeMapVectors(map, vectors);
}

} // namespace dermgan::ui
