#include "projection_job.h"

#include <QCoreApplication>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/image_decode.h"
#include "data/image_store.h"
#include "explain/neighbours.h"
#include "explain/perceptual_distance.h"
#include "explain/projection_calibration.h"
#include "explain/projector.h"
#include "metrics/feature_extractor.h"

namespace dermgan::ui {

namespace {

// float [3, R, R] in [-1, 1] (or uint8) -> QImage.
QImage toImage(const torch::Tensor& image)
{
    const auto pixels = (image.scalar_type() == torch::kUInt8 ? image : toPixels(image.unsqueeze(0))[0]).permute({1, 2, 0}).contiguous().cpu();
    const int side = static_cast<int>(pixels.size(0));
    return QImage(pixels.data_ptr<std::uint8_t>(), side, side, side * 3, QImage::Format_RGB888).copy();
}

void findNeighbours(const GeneratorModel& model, const torch::Tensor& projection, const ProjectionJob& job, ProjectionOutcome& outcome)
{
    explain::NeighbourRequest request;
    request.data = job.neighbourData.toStdString();
    request.syntheticCount = job.syntheticPool;
    request.classIndex = outcome.classIndex;
    request.k = job.neighbours;
    const auto pixels = toPixels(projection.unsqueeze(0))[0].cpu();
    const auto found = explain::nearestNeighbours(model, pixels, request);
    for (const auto& n : found.synthetic)
        outcome.neighbours.push_back({toImage(n.image), QString::fromStdString(n.id), true, n.seed, n.classIndex, n.cosine});
    for (const auto& n : found.real)
        outcome.neighbours.push_back({toImage(n.image), QString::fromStdString(n.id), false, 0, n.classIndex, n.cosine});
    const QString pool = QStringLiteral("seeds 0-%1%2").arg(job.syntheticPool - 1)
                             .arg(found.className.empty() ? QString() : QStringLiteral(" of ") + QString::fromStdString(found.className));
    outcome.neighbourNote = job.neighbourData.isEmpty()
                                ? QCoreApplication::translate("ProjectionJob", "Synthetic: %1. Real: no dataset chosen.").arg(pool)
                                : QCoreApplication::translate("ProjectionJob", "Synthetic: %1. Real: the training split of %2.").arg(pool, job.neighbourData);
}

// The distances read against the calibration beside the model (dermgan project --calibrate), when it fits.
void readCalibrated(const GeneratorModel& model, const torch::Tensor& target, const explain::ImageDistances& distances,
                    metrics::FeatureExtractor& features, ProjectionOutcome& outcome)
{
    const auto tr = [](const char* text) { return QCoreApplication::translate("ProjectionJob", text); };
    try {
        const auto calibration = explain::findCalibration(model.path, model.hash);
        if (!calibration) {
            outcome.calibratedReading = tr("No calibration beside this model, so these distances cannot be compared with real "
                                           "lesions. Make one with: dermgan project MODEL --data DATASET --subsets val --count 50 --calibrate");
            return;
        }
        if (calibration->extractorHash != features.hash()) {
            outcome.calibratedReading = tr("The calibration beside this model was made with another feature network; not used.");
            return;
        }
        const auto reading = explain::readCalibrated(*calibration, features.extract(target.unsqueeze(0)), distances);
        outcome.outOfDistribution = reading.outOfDistribution;
        outcome.calibratedReading = QString::fromStdString(explain::describe(reading));
    } catch (const std::exception& e) {
        outcome.calibratedReading = tr("The calibration beside this model cannot be used: %1").arg(QString::fromStdString(e.what()));
    }
}

} // namespace

ProjectionOutcome runProjection(const GeneratorSession& session, const ProjectionJob& job, const ProjectionProgress& progress)
{
    configureThreadsForLoad();  // on this worker thread: its threads must not fight a busy machine
    const GeneratorModel& model = session.generatorModel();
    ProjectionOutcome outcome;
    std::string note;
    const cv::Mat rgb = readImageRgb(job.image.toStdString());
    const std::string trivial = explain::trivialImageReason(rgb);
    const auto target = explain::prepareTarget(rgb, model.network().resolution, note);
    outcome.note = QString::fromStdString(note);
    auto distance = explain::openPerceptualDistance("derm", model.device);
    auto features = metrics::openFeatureExtractor("derm", model.device);
    explain::ProjectionOptions options;
    options.space = job.wPlus ? explain::LatentSpace::WPlus : explain::LatentSpace::W;
    options.steps = job.steps;
    options.classIndex = model.network().classCount > 0 ? job.classIndex : -1;
    const auto result = explain::project(model, target, *distance, options, [&](const explain::ProjectionStep& step, const torch::Tensor& image) {
        return !progress || progress(step.step, step.loss - step.noisePenalty, step.noisePenalty, image.defined() ? toImage(image) : QImage());
    }, 10);
    outcome.cancelled = result.cancelled;
    outcome.classIndex = result.classIndex;
    outcome.target = toImage(result.target);
    outcome.projection = toImage(result.projection);
    outcome.difference = toImage(((result.target - result.projection).abs() * 4.0 - 1.0).clamp(-1.0, 1.0));
    const auto ws = result.ws.to(torch::kFloat32).contiguous().cpu();
    outcome.ws.assign(ws.data_ptr<float>(), ws.data_ptr<float>() + ws.numel());
    const auto d = explain::measureProjection(result, *distance, features.get());
    outcome.rmse = d.rmse;
    outcome.psnr = d.psnr;
    outcome.ssim = d.ssim;
    outcome.perceptual = d.perceptual;
    outcome.featureCosine = d.featureCosine;
    const auto featuresOf = [&](const torch::Tensor& image) {
        const auto row = features->extract(toPixels(image.unsqueeze(0))).to(torch::kFloat32).contiguous().cpu();
        return std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
    };
    outcome.targetFeatures = featuresOf(result.target);
    outcome.projectionFeatures = featuresOf(result.projection);
    outcome.featureExtractorHash = QString::fromStdString(features->hash());
    if (trivial.empty()) {
        readCalibrated(model, target, d, *features, outcome);
    } else {  // never ranked as close, however small its distances
        outcome.outOfDistribution = true;
        outcome.calibratedReading = QCoreApplication::translate("ProjectionJob", "Not a dermoscopic photograph: %1. Its distances are not ranked.")
                                        .arg(QString::fromStdString(trivial));
    }
    if (!outcome.cancelled && job.neighbours > 0)
        findNeighbours(model, result.projection, job, outcome);
    return outcome;
}

} // namespace dermgan::ui
