#include "map_job.h"

#include <cmath>

#include <chrono>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "explain/embedding.h"
#include "explain/map_input.h"

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

} // namespace dermgan::ui
