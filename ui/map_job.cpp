#include "map_job.h"

#include <cmath>

#include <chrono>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "explain/embedding.h"
#include "explain/map_input.h"
#include "explain/map_placement.h"

namespace dermgan::ui {

MapResult runMapJob(const GeneratorSession& session, const MapJob& job, const ProgressCallback& progress)
{
    if (!session.isLoaded())
        throw InputError("open a generator before computing a map");
    configureThreadsForLoad();  // on this worker thread: its threads must not fight a busy machine
    explain::MapRequest request;
    request.space = job.space.toStdString();
    request.data = job.data.toStdString();
    request.subset = job.subset.toStdString();
    request.count = job.count;
    request.seed = job.seed;
    request.projections = job.projections.toStdString();
    request.thumbnails = true;
    const auto input = explain::collectMapInput(session.generatorModel(), request, progress);
    explain::MapOptions options;
    options.method = job.method.toStdString();
    options.umap.seed = options.tsne.seed = job.seed;
    const auto started = std::chrono::steady_clock::now();
    const auto map = explain::computeMap(input.vectors, options, progress).contiguous();

    MapResult result;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.method = job.method;
    result.space = job.space;
    const int64_t n = map.size(0);
    result.trustworthiness = explain::measureMapQuality(input.vectors, map, 10).trustworthiness.value_or(std::nan(""));
    const auto vectors = input.vectors.to(torch::kFloat32).contiguous();
    result.vectors.assign(vectors.data_ptr<float>(), vectors.data_ptr<float>() + vectors.numel());
    result.dimensions = static_cast<int>(vectors.size(1));
    result.extractorHash = QString::fromStdString(input.extractorHash);
    const float* xy = map.data_ptr<float>();
    const auto pixels = input.thumbnails.permute({0, 2, 3, 1}).contiguous();
    const int side = static_cast<int>(pixels.size(1));
    for (int64_t i = 0; i < n; ++i) {
        const auto& p = input.points[static_cast<std::size_t>(i)];
        result.xy.push_back(QPointF(xy[2 * i], xy[2 * i + 1]));
        result.points.push_back({QString::fromStdString(p.source), QString::fromStdString(p.className), QString::fromStdString(p.id),
                                 p.classIndex, p.seed});
        const QImage view(pixels[i].data_ptr<std::uint8_t>(), side, side, side * 3, QImage::Format_RGB888);
        result.thumbnails.push_back(view.copy());
    }
    return result;
}

MapProjection placeProjection(const MapResult& map, const std::vector<float>& imageVector, const std::vector<float>& projectionVector)
{
    const int64_t d = map.dimensions, n = map.points.size();
    if (map.vectors.size() != static_cast<std::size_t>(n * d) || n == 0)
        throw InputError("this map keeps no vectors to place images by");
    if (projectionVector.empty())
        throw InputError("the projection has no vector in this map's space");
    auto vectors = torch::from_blob(const_cast<float*>(map.vectors.data()), {n, d});
    std::vector<float> positions;
    positions.reserve(static_cast<std::size_t>(2 * n));
    for (const QPointF& p : map.xy)
        positions.insert(positions.end(), {static_cast<float>(p.x()), static_cast<float>(p.y())});
    const auto xy = torch::from_blob(positions.data(), {n, 2});
    std::vector<torch::Tensor> rows;
    for (const auto* v : {&imageVector, &projectionVector})
        if (!v->empty())
            rows.push_back(torch::tensor(*v, torch::kFloat32));
    for (const auto& row : rows)
        if (row.numel() != d)
            throw InputError("the projection's vectors have " + std::to_string(row.numel()) + " values; this map's have " + std::to_string(d));
    const auto placed = explain::placeOnMap(vectors, xy, torch::stack(rows));
    MapProjection result;
    result.hasTarget = !imageVector.empty();
    result.neighbours = static_cast<int>(placed.nearest.size(1));
    const auto at = [&](int64_t row) { return QPointF(placed.xy[row][0].item<double>(), placed.xy[row][1].item<double>()); };
    result.target = result.hasTarget ? at(0) : QPointF();
    result.projection = at(static_cast<int64_t>(rows.size()) - 1);
    // The nearest real and synthetic points of the whole map (not only of the averaged neighbours).
    const auto distances = torch::cdist(rows.front().unsqueeze(0), vectors, 2.0, 2)[0];  // direct L2, as placeOnMap
    const auto* dist = distances.data_ptr<float>();
    for (int i = 0; i < n; ++i) {
        const bool real = map.points[i].source == QLatin1String("real");
        if (!real && map.points[i].source != QLatin1String("synthetic"))
            continue;
        int& best = real ? result.nearestReal : result.nearestSynthetic;
        double& bestDistance = real ? result.realDistance : result.syntheticDistance;
        if (best < 0 || dist[i] < bestDistance)
            best = i, bestDistance = dist[i];
    }
    return result;
}

} // namespace dermgan::ui
