#include "generator_session.h"

#include <filesystem>
#include <fstream>

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <opencv2/imgproc.hpp>
#include <torch/cuda.h>

#include "common/errors.h"
#include "common/runtime.h"
#include "data/image_store.h"
#include "explain/latent_directions.h"
#include "explain/latent_render.h"
#include "io/image_io.h"
#include "metrics/metric_catalogue.h"
#include "model/snapshot.h"

namespace dermgan::ui {

namespace fs = std::filesystem;

struct GeneratorSession::Model {
    GeneratorModel generator;
    explain::DirectionSet directions;
    QString directionsPath;
};

GeneratorSession::GeneratorSession() = default;

namespace {

fs::path toPath(const QString& path) { return fs::path(path.toStdString()); }

QString html(const std::string& text) { return QString::fromStdString(text).toHtmlEscaped(); }

// The "generated vs real" line of a metrics report written beside the model (models/<stem>/metrics.json).
QString metricsSummary(const fs::path& model)
{
    const auto report = model.parent_path() / model.stem() / "metrics.json";
    std::ifstream in(report);
    if (!in)
        return QObject::tr("not measured (run <code>dermgan metrics</code>)");
    try {
        const auto json = nlohmann::json::parse(in);
        const auto& g = json.at("metrics");
        const std::string extractor = g.at("extractor").get<std::string>();
        QString line;
        for (const auto& metric : metrics::metricCatalogue())  // the features metrics the report has
            for (const auto& value : metric.values)
                if (const auto key = metrics::reportKey(metric, value, extractor);
                    metric.input == metrics::MetricInput::Features && g.contains(key) && g.at(key).is_number())
                    line += QStringLiteral("%1 %2, ")
                                .arg(html(metrics::reportLabel(metric, value, extractor)))
                                .arg(g.at(key).get<double>(), 0, 'f', 3);
        line.chop(2);
        return line + QObject::tr(" (vs the real test split; derm features are not comparable to Inception FID)");
    } catch (const std::exception&) {
        return QObject::tr("unreadable report %1").arg(html(report.string()));
    }
}

} // namespace

void GeneratorSession::load(const QString& path, const QString& device)
{
    auto model = std::make_shared<Model>();
    model->generator = loadGeneratorModel(toPath(path), selectDevice(device.toStdString()));
    const QFileInfo info(path);
    const QString beside = info.dir().filePath(info.completeBaseName() + QStringLiteral(".directions.json"));
    if (QFileInfo::exists(beside)) {
        model->directions = explain::loadDirections(toPath(beside), model->generator.hash);
        model->directionsPath = beside;
    }
    model_ = model;
}

void GeneratorSession::loadDirections(const QString& path)
{
    if (!model_)
        throw InputError("open a generator before its direction file");
    auto model = std::make_shared<Model>(*model_);
    model->directions = explain::loadDirections(toPath(path), model->generator.hash);
    model->directionsPath = path;
    model_ = model;
}

bool GeneratorSession::isLoaded() const { return model_ != nullptr; }
QString GeneratorSession::path() const { return model_ ? QString::fromStdString(model_->generator.path.string()) : QString(); }
QString GeneratorSession::hash() const { return model_ ? QString::fromStdString(model_->generator.hash) : QString(); }
QString GeneratorSession::deviceName() const
{
    return model_ ? QString::fromStdString(runtimeDescription(model_->generator.device)) : QString();
}
int GeneratorSession::resolution() const { return model_ ? model_->generator.network().resolution : 0; }
int GeneratorSession::numWs() const { return model_ ? model_->generator.network().numWs() : 0; }
double GeneratorSession::kimg() const
{
    return model_ && model_->generator.progress.is_object() ? model_->generator.progress.value("kimg", 0.0) : 0.0;
}
QString GeneratorSession::directionsPath() const { return model_ ? model_->directionsPath : QString(); }

int GeneratorSession::commonestClass() const
{
    if (!model_)
        return 0;
    const auto counts = model_->generator.progress.find("class_images");
    const int classCount = model_->generator.network().classCount;
    if (counts == model_->generator.progress.end() || !counts->is_array() || static_cast<int>(counts->size()) != classCount)
        return 0;
    int commonest = 0;
    double most = -1.0;
    for (int k = 0; k < classCount; ++k) {
        const auto& count = (*counts)[static_cast<std::size_t>(k)];
        if (!count.is_number())
            return 0;  // a damaged record: no preference
        if (count.get<double>() > most) {
            most = count.get<double>();
            commonest = k;
        }
    }
    return commonest;
}

QStringList GeneratorSession::classNames() const
{
    QStringList names;
    if (!model_)
        return names;
    const auto& network = model_->generator.network();
    for (int k = 0; k < network.classCount; ++k)
        names << (k < static_cast<int>(network.classNames.size()) ? QString::fromStdString(network.classNames[static_cast<std::size_t>(k)])
                                                                   : QStringLiteral("class %1").arg(k));
    return names;
}

QList<DirectionInfo> GeneratorSession::directions() const
{
    QList<DirectionInfo> list;
    if (!model_)
        return list;
    for (const auto& d : model_->directions.directions)
        list.push_back({QString::fromStdString(d.name), QString::fromStdString(d.kind), d.explainedVariance, d.firstLayer, d.lastLayer});
    return list;
}

QString GeneratorSession::cardHtml() const
{
    if (!model_)
        return QObject::tr("<p>No generator loaded.</p>");
    const auto& m = model_->generator;
    const auto& network = m.network();
    const auto& training = m.training;
    const QStringList classes = classNames();
    QString text = QStringLiteral("<h3>%1</h3><table>").arg(html(m.path.filename().string()));
    auto row = [&text](const QString& key, const QString& value) {
        text += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key, value);
    };
    row(QObject::tr("Resolution"), QStringLiteral("%1 x %1").arg(network.resolution));
    row(QObject::tr("Classes"), classes.isEmpty() ? QObject::tr("unconditional") : classes.join(QStringLiteral(", ")));
    const bool imported = m.progress.contains("imported_from");
    if (imported) {
        row(QObject::tr("Trained"), QObject::tr("elsewhere: imported from the StyleGAN2-ADA network %1")
                                        .arg(html(m.progress.value("imported_from", std::string()))));
    } else {
        row(QObject::tr("Trained"), QObject::tr("%1 kimg, batch %2, %3 split of %4")
                                        .arg(kimg(), 0, 'f', 1)
                                        .arg(training.batch)
                                        .arg(html(training.subset), html(fs::path(training.dataset).filename().string())));
        row(QObject::tr("Setting"), training.institution >= 0 ? QObject::tr("institution %1 only").arg(training.institution)
                                                               : QObject::tr("centralized"));
    }
    row(QObject::tr("Latent"), QObject::tr("z %1, w %2, %3 layers of w").arg(network.zDim).arg(network.wDim).arg(network.numWs()));
    row(QObject::tr("Metrics"), metricsSummary(m.path));
    row(QObject::tr("Directions"), model_->directionsPath.isEmpty()
                                       ? QObject::tr("none (File > Open directions, or <code>dermgan directions</code>)")
                                       : QObject::tr("%1 from %2").arg(model_->directions.directions.size()).arg(QFileInfo(model_->directionsPath).fileName().toHtmlEscaped()));
    row(QObject::tr("Device"), deviceName());
    row(QObject::tr("Model hash"), hash());
    text += imported ? QObject::tr("</table><p><i>Every image this model generates is SYNTHETIC (the Reader study tab also shows real ones). Its training data "
                                   "and licence are whatever its authors state.</i></p>")
                     : QObject::tr("</table><p><i>Every image this model generates is SYNTHETIC (the Reader study tab also shows real ones); "
                                   "trained on CC BY-NC data (HAM10000): non-commercial use only.</i></p>");
    return text;
}

void GeneratorSession::requireRenderable(const explain::LatentRecipe& recipe) const
{
    if (!model_)
        throw InputError("no generator loaded");
    const auto& network = model_->generator.network();
    explain::requireRenderable(recipe, network.classCount, network.numWs(), network.wDim);
}

namespace {

// uint8 RGB [3, R, R] -> a QImage that owns its pixels.
QImage toQImage(const torch::Tensor& pixels)
{
    const auto hwc = pixels.permute({1, 2, 0}).contiguous();
    const int size = static_cast<int>(hwc.size(0));
    return QImage(hwc.data_ptr<std::uint8_t>(), size, size, size * 3, QImage::Format_RGB888).copy();
}

} // namespace

QImage GeneratorSession::render(const explain::LatentRecipe& recipe) const
{
    const auto model = model_;  // keeps this model alive for the whole render
    if (!model)
        throw InputError("no generator loaded");
    return toQImage(explain::renderRecipe(model->generator, model->directions, recipe));
}

QImage GeneratorSession::render(const explain::LatentRecipe& recipe, const std::function<void(const QImage&)>& preview,
                                const std::function<bool()>& stop) const
{
    const auto model = model_;
    if (!model)
        throw InputError("no generator loaded");
    explain::ProgressiveRender progressive;
    progressive.stopRequested = stop;
    if (preview && model->generator.network().resolution >= kFirstProgressiveResolution) {
        progressive.firstPreview = 8;
        progressive.preview = [&preview](const torch::Tensor& pixels) { preview(toQImage(pixels)); };
    }
    const auto pixels = explain::renderRecipe(model->generator, model->directions, recipe, progressive);
    return pixels.defined() ? toQImage(pixels) : QImage();
}

std::vector<float> GeneratorSession::latent(const explain::LatentRecipe& recipe) const
{
    const auto model = model_;
    if (!model)
        throw InputError("no generator loaded");
    const auto ws = explain::recipeWs(model->generator, model->directions, recipe).cpu().contiguous();
    return {ws.data_ptr<float>(), ws.data_ptr<float>() + ws.numel()};
}

void GeneratorSession::exportPng(const explain::LatentRecipe& recipe, const QString& file, int scale) const
{
    const auto model = model_;
    if (!model)
        throw InputError("no generator loaded");
    if (scale < 1 || scale > kMaxExportScale)
        throw InputError("an export can be enlarged 1 to " + std::to_string(kMaxExportScale) + " times, not " + std::to_string(scale));
    const auto pixels = explain::renderRecipe(model->generator, model->directions, recipe);
    cv::Mat rgb = tensorToRgbImage(toModelRange(pixels));
    const int resolution = rgb.cols;
    if (scale > 1)
        cv::resize(rgb, rgb, cv::Size(), scale, scale, cv::INTER_NEAREST);
    std::map<std::string, std::string> text{
        {"Software", "dermgan-explorer"},
        {"dermgan:synthetic", "true"},
        {"Description", "SYNTHETIC image generated by a GAN; not a real patient image"},
        {"dermgan:seed", std::to_string(recipe.seed)},
        {"dermgan:psi", std::to_string(recipe.psi)},
        {"dermgan:recipe", explain::toJson(recipe).dump()},
        {"dermgan:model", model->generator.path.filename().string()},
        {"dermgan:model_hash", model->generator.hash},
        {"dermgan:model_resolution", std::to_string(resolution)}};
    if (const QStringList classes = classNames(); recipe.classIndex >= 0 && recipe.classIndex < classes.size())
        text["dermgan:class"] = classes[recipe.classIndex].toStdString();
    if (scale > 1)
        text["dermgan:enlarged"] = std::to_string(scale) + "x by nearest neighbour from the model's " + std::to_string(resolution) +
                                   "x" + std::to_string(resolution) + " pixels: no detail beyond the model's";
    writePng(toPath(file), rgb, text);
}

QString GeneratorSession::exportFileName(const explain::LatentRecipe& recipe, int scale) const
{
    QString name = QStringLiteral("synthetic");
    if (const QStringList classes = classNames(); recipe.classIndex >= 0 && recipe.classIndex < classes.size())
        name += QLatin1Char('-') + QString(classes[recipe.classIndex]).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    name += recipe.ws.empty() ? QStringLiteral("-seed%1").arg(recipe.seed) : QStringLiteral("-projected");
    if (scale > 1)
        name += QStringLiteral("-x%1").arg(scale);
    return name + QStringLiteral(".png");
}

const GeneratorModel& GeneratorSession::generatorModel() const
{
    if (!model_)
        throw InputError("no generator loaded");
    return model_->generator;
}

QString GeneratorSession::trainingDataset() const
{
    if (!model_)
        return {};
    const QString dataset = QString::fromStdString(model_->generator.training.dataset);
    return !dataset.isEmpty() && QFileInfo(dataset).isDir() ? QFileInfo(dataset).absoluteFilePath() : QString();
}

bool GeneratorSession::cudaAvailable() { return torch::cuda::is_available(); }

} // namespace dermgan::ui
