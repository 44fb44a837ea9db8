#include "embedding_view.h"

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QPainter>
#include <QPen>
#include <QPushButton>
#include <QProgressBar>
#include <QScatterSeries>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>

#include "background_job.h"
#include "map_file.h"
#include "palette_chart_view.h"
#include "common/errors.h"
#include "explain/map_methods.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
const QColor kPalette[] = {QColor(230, 159, 0), QColor(86, 180, 233), QColor(0, 158, 115), QColor(240, 228, 66),
                           QColor(0, 114, 178), QColor(213, 94, 0),  QColor(204, 121, 167), QColor(0, 0, 0)};

QScatterSeries::MarkerShape shapeOf(const QString& source)
{
    if (source == QLatin1String("real"))
        return QScatterSeries::MarkerShapeCircle;
    if (source == QLatin1String("synthetic"))
        return QScatterSeries::MarkerShapeRectangle;
    return QScatterSeries::MarkerShapeTriangle;  // projected
}

} // namespace

EmbeddingView::EmbeddingView(QWidget* parent) : QWidget(parent)
{
    method_ = new QComboBox;
    for (const auto& method : explain::mapMethods()) {
        method_->addItem(QString::fromStdString(method.label), QString::fromStdString(method.name));
        method_->setItemData(method_->count() - 1, QString::fromStdString(method.help), Qt::ToolTipRole);
    }
    method_->setAccessibleName(tr("Map method"));
    space_ = new QComboBox;
    space_->addItem(tr("image features (real + synthetic)"), QStringLiteral("features"));
    space_->addItem(tr("latent w (synthetic)"), QStringLiteral("w"));
    space_->setAccessibleName(tr("Vectors to map"));
    data_ = new QLineEdit;
    data_->setPlaceholderText(tr("dataset folder (for real images)"));
    data_->setAccessibleName(tr("Dataset folder"));
    auto* browse = new QPushButton(tr("…"));
    browse->setAccessibleName(tr("Choose dataset folder"));
    subset_ = new QComboBox;
    subset_->addItems({QStringLiteral("test"), QStringLiteral("val"), QStringLiteral("train"), QStringLiteral("all")});
    subset_->setAccessibleName(tr("Real subset"));
    count_ = new QSpinBox;
    count_->setRange(20, 10000);
    count_->setValue(1000);
    count_->setSingleStep(100);
    count_->setAccessibleName(tr("Images per source"));
    colourBy_ = new QComboBox;
    colourBy_->addItems({tr("class"), tr("source")});
    colourBy_->setAccessibleName(tr("Colour by"));
    computeButton_ = new QPushButton(tr("&Compute map"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    progress_ = new QProgressBar;
    progress_->setTextVisible(true);
    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("mapStatus"));
    status_->setWordWrap(true);
    auto* openMapButton = new QPushButton(tr("Open map…"));
    openMapButton->setToolTip(tr("A map saved by Export CSV or by dermgan embed (embedding.csv) for this model"));
    auto* exportCsvButton = new QPushButton(tr("Export CSV…"));
    auto* exportPngButton = new QPushButton(tr("Export PNG…"));

    auto* form = new QFormLayout;
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Vectors"), space_);
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(data_, 1);
    dataRow->addWidget(browse);
    form->addRow(tr("Dataset"), dataRow);
    form->addRow(tr("Real subset"), subset_);
    form->addRow(tr("Images per source"), count_);
    form->addRow(tr("Colour by"), colourBy_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(computeButton_);
    buttons->addWidget(cancelButton_);

    thumbnail_ = new QLabel;
    thumbnail_->setFixedSize(192, 192);
    thumbnail_->setAlignment(Qt::AlignCenter);
    thumbnail_->setAccessibleName(tr("Preview of the point under the mouse"));
    pointInfo_ = new QLabel(tr("Hover over a point to see its image; click to select it."));
    pointInfo_->setWordWrap(true);
    openButton_ = new QPushButton(tr("Open in &generator"));
    openButton_->setObjectName(QStringLiteral("openInGenerator"));
    openButton_->setEnabled(false);
    projectionInfo_ = new QLabel(tr("Project an image (Project tab) to see where it falls on this map."));
    projectionInfo_->setObjectName(QStringLiteral("projectionOnMap"));
    projectionInfo_->setWordWrap(true);

    auto* side = new QVBoxLayout;
    side->addLayout(form);
    side->addLayout(buttons);
    side->addWidget(progress_);
    side->addWidget(status_);
    side->addWidget(thumbnail_, 0, Qt::AlignHCenter);
    side->addWidget(pointInfo_);
    side->addWidget(openButton_);
    side->addWidget(projectionInfo_);
    side->addStretch(1);
    auto* exports = new QHBoxLayout;
    exports->addWidget(openMapButton);
    exports->addWidget(exportCsvButton);
    exports->addWidget(exportPngButton);
    side->addLayout(exports);
    auto* sideWidget = new QWidget;
    sideWidget->setLayout(side);
    sideWidget->setFixedWidth(330);
    // Scrolls rather than growing the window: the panel is taller than a 768-pixel screen leaves.
    auto* sideScroll = new QScrollArea;
    sideScroll->setWidget(sideWidget);
    sideScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    sideScroll->setFrameShape(QFrame::NoFrame);
    sideScroll->setFixedWidth(330 + sideScroll->verticalScrollBar()->sizeHint().width());

    chart_ = new QChart;
    chart_->setTitle(tr("No map yet: choose the vectors and press Compute map"));
    chart_->legend()->setAlignment(Qt::AlignRight);
    chart_->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);  // the legend repeats the source's shape
    chartView_ = new PaletteChartView(chart_);
    chartView_->setRenderHint(QPainter::Antialiasing, false);  // 10,000 markers stay fluid without it
    chartView_->setAccessibleName(tr("Map of images"));
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(chartView_, 1);
    layout->addWidget(sideScroll);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), data_->text());
        if (!dir.isEmpty())
            data_->setText(dir);
    });
    connect(space_, &QComboBox::currentIndexChanged, this, [this] {
        const bool features = space_->currentData().toString() == QLatin1String("features");
        data_->setEnabled(features);
        subset_->setEnabled(features);
    });
    connect(computeButton_, &QPushButton::clicked, this, &EmbeddingView::compute);
    connect(cancelButton_, &QPushButton::clicked, this, &EmbeddingView::cancel);
    connect(colourBy_, &QComboBox::currentIndexChanged, this, &EmbeddingView::showResult);
    connect(openButton_, &QPushButton::clicked, this, [this] {
        if (selected_ >= 0 && result_.points[selected_].source == QLatin1String("synthetic"))
            Q_EMIT openSynthetic(result_.points[selected_].seed, result_.points[selected_].classIndex);
    });
    connect(openMapButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Open map"), QString(), tr("Maps (*.csv)"));
        if (!file.isEmpty())
            if (const QString error = openMap(file); !error.isEmpty())
                Q_EMIT mapFailed(error);
    });
    connect(exportCsvButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export map"), QStringLiteral("map.csv"), tr("CSV (*.csv)"));
        if (!file.isEmpty())
            if (const QString error = exportCsv(file); !error.isEmpty())
                Q_EMIT mapFailed(error);
    });
    connect(exportPngButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export plot"), QStringLiteral("map.png"), tr("PNG (*.png)"));
        if (!file.isEmpty())
            if (const QString error = exportPng(file); !error.isEmpty())
                Q_EMIT mapFailed(error);
    });
}

void EmbeddingView::mapFinished()
{
    computeButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    try {
        result_ = job_.result();
    } catch (const std::exception& e) {  // rethrown from the worker
        const bool cancelled = job_.cancelled();
        status_->setText(cancelled ? tr("Cancelled.") : QString::fromStdString(e.what()));
        progress_->setValue(0);
        if (!cancelled)
            Q_EMIT mapFailed(QString::fromStdString(e.what()));
        return;
    }
    selected_ = -1;
    mapFile_.clear();
    showResult();
    Q_EMIT mapReady();
}

void EmbeddingView::setSession(const GeneratorSession& session)
{
    const bool otherModel = session.hash() != session_.hash();
    session_ = session;
    if (data_->text().isEmpty())
        data_->setText(QSettings().value(QStringLiteral("mapDataset"), session.trainingDataset()).toString());
    if (!otherModel)
        return;
    clearMap();  // a map of another model would open its seeds in this one
    projected_.reset();  // and an image projected into another model has no place here
    projectionInfo_->setText(tr("Project an image (Project tab) to see where it falls on this map."));
    if (const QString bundled = bundledMapPath(session_); !bundled.isEmpty())
        if (const QString error = openMap(bundled); !error.isEmpty())
            status_->setText(tr("The map saved beside the model was not shown: %1").arg(error));
}

QString EmbeddingView::openMap(const QString& file)
{
    try {
        result_ = readMapFile(session_, file);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    mapFile_ = file;
    selected_ = -1;
    openButton_->setEnabled(false);
    showResult();
    Q_EMIT mapReady();
    return {};
}

void EmbeddingView::clearMap()
{
    result_ = MapResult();
    mapFile_.clear();
    selected_ = -1;
    openButton_->setEnabled(false);
    thumbnail_->clear();
    chart_->removeAllSeries();
    projectionSeries_.clear();  // deleted with the others
    for (QAbstractAxis* axis : chart_->axes())
        chart_->removeAxis(axis);
    series_.clear();
    chart_->setTitle(tr("No map yet: choose the vectors and press Compute map"));
    status_->clear();
    placement_ = MapProjection();
}

void EmbeddingView::setJob(const MapJob& job)
{
    method_->setCurrentIndex(method_->findData(job.method));
    space_->setCurrentIndex(space_->findData(job.space));
    data_->setText(job.data);
    subset_->setCurrentText(job.subset);
    count_->setValue(job.count);
}

MapJob EmbeddingView::job() const
{
    MapJob job;
    job.method = method_->currentData().toString();
    job.space = space_->currentData().toString();
    job.data = data_->text();
    job.subset = subset_->currentText();
    job.count = count_->value();
    return job;
}

void EmbeddingView::compute()
{
    if (job_.running())
        return;
    const MapJob job = this->job();
    if (job.space == QLatin1String("features") && !job.data.isEmpty())
        QSettings().setValue(QStringLiteral("mapDataset"), job.data);
    computeButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    status_->setText(tr("Computing…"));
    progress_->setRange(0, 0);
    job_.start([this, &job](const auto& stop) {
        return [session = session_, job, progress = progressToBar(progress_, stop)] { return runMapJob(session, job, progress); };
    });
}

void EmbeddingView::cancel() { job_.cancel(); }

void EmbeddingView::showResult()
{
    chart_->removeAllSeries();
    for (QAbstractAxis* axis : chart_->axes())
        chart_->removeAxis(axis);
    series_.clear();
    projectionSeries_.clear();  // deleted with the others
    if (result_.points.isEmpty())
        return;
    const bool byClass = colourBy_->currentIndex() == 0;
    std::map<std::pair<QString, QString>, std::vector<int>> groups;  // (source, colour key) -> points
    for (int i = 0; i < result_.points.size(); ++i)
        groups[{result_.points[i].source, byClass ? result_.points[i].className : result_.points[i].source}].push_back(i);
    std::map<QString, QColor> colours;
    for (const auto& [key, indices] : groups)
        if (!colours.count(key.second))
            colours[key.second] = kPalette[colours.size() % std::size(kPalette)];
    auto* x = new QValueAxis;
    auto* y = new QValueAxis;
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);
    chartView_->restyle();
    double minX = 1e300, maxX = -1e300, minY = 1e300, maxY = -1e300;
    for (const QPointF& p : result_.xy)
        minX = std::min(minX, p.x()), maxX = std::max(maxX, p.x()), minY = std::min(minY, p.y()), maxY = std::max(maxY, p.y());
    const double padX = 0.03 * (maxX - minX + 1e-9), padY = 0.03 * (maxY - minY + 1e-9);
    x->setRange(minX - padX, maxX + padX);
    y->setRange(minY - padY, maxY + padY);
    for (const auto& [key, indices] : groups) {
        auto* series = new QScatterSeries;
        series->setName(byClass ? QStringLiteral("%1 (%2)").arg(key.second, key.first) : key.first);
        series->setMarkerShape(shapeOf(key.first));
        series->setMarkerSize(key.first == QLatin1String("projected") ? 11 : 7);
        series->setColor(colours[key.second]);
        series->setBorderColor(key.first == QLatin1String("real") ? QColor(Qt::black) : colours[key.second].darker(150));
        QList<QPointF> points;
        points.reserve(static_cast<int>(indices.size()));
        for (int i : indices)
            points.push_back(result_.xy[i]);
        series->append(points);
        chart_->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        series_.emplace_back(series, indices);
        connect(series, &QScatterSeries::hovered, this, [this, series](const QPointF& point, bool state) {
            if (state)
                preview(nearestIn(series, point));
        });
        connect(series, &QScatterSeries::clicked, this, [this, series](const QPointF& point) { selectPoint(nearestIn(series, point)); });
    }
    const auto* method = explain::findMapMethod(result_.method.toStdString());  // a map file may name another
    chart_->setTitle(tr("%1 of %2 %3 vectors").arg(method ? QString::fromStdString(method->label) : result_.method.toUpper(),
                                                   QString::number(result_.points.size()),
                                                   result_.space == QLatin1String("w") ? tr("latent w") : tr("image feature")));
    const QString shapes = tr("Shapes: ● real, ■ synthetic, ▲ projected.");
    const QString trust = std::isfinite(result_.trustworthiness)
                              ? QString::number(result_.trustworthiness, 'f', 3)
                              : tr("not computed (too few points; k = 10 needs 22)");
    if (mapFile_.isEmpty())
        status_->setText(tr("%1 points mapped in %2 s; trustworthiness (k = 10) %3. %4")
                             .arg(result_.points.size())
                             .arg(result_.seconds, 0, 'f', 1)
                             .arg(trust)
                             .arg(shapes));
    else
        status_->setText(tr("Saved map %1 (%2 points, trustworthiness %3): Compute map makes a new one. %4")
                             .arg(QFileInfo(mapFile_).fileName())
                             .arg(result_.points.size())
                             .arg(trust)
                             .arg(shapes));
    progress_->setRange(0, 1);
    progress_->setValue(1);
    drawProjection();
}

void EmbeddingView::showProjection(const ProjectionOutcome& outcome)
{
    projected_ = outcome;
    drawProjection();  // only the markers: the map, its status and a computation under way stay as they are
    if (result_.points.isEmpty())
        projectionInfo_->setText(tr("Compute or open a map to see where the image just projected falls."));
}

void EmbeddingView::clearProjection(const QString& note)
{
    projected_.reset();
    drawProjection();
    projectionInfo_->setText(note);
}

QString EmbeddingView::projectionNote() const { return projectionInfo_->text(); }

void EmbeddingView::drawProjection()
{
    for (QScatterSeries* series : projectionSeries_) {
        chart_->removeSeries(series);
        delete series;
    }
    projectionSeries_.clear();
    placement_ = MapProjection();
    const QList<QAbstractAxis*> horizontal = chart_->axes(Qt::Horizontal), vertical = chart_->axes(Qt::Vertical);
    if (!projected_ || result_.points.isEmpty() || horizontal.isEmpty() || vertical.isEmpty())
        return;
    if (projected_->cancelled) {
        projectionInfo_->setText(tr("The last projection was cancelled: nothing to place."));
        return;
    }
    const bool features = result_.space == QLatin1String("features");
    if (result_.vectors.empty()) {
        projectionInfo_->setText(tr("The image just projected cannot be placed: %1. Compute the map to place it.")
                                     .arg(result_.vectorsNote.isEmpty() ? tr("this map keeps no vectors") : result_.vectorsNote));
        return;
    }
    if (features && result_.extractorHash != projected_->featureExtractorHash) {
        projectionInfo_->setText(tr("The image just projected cannot be placed: this map was made with another feature network (%1, "
                                    "the projection's is %2). Compute the map again.")
                                     .arg(result_.extractorHash.isEmpty() ? tr("not named") : result_.extractorHash,
                                          projected_->featureExtractorHash));
        return;
    }
    std::vector<float> w;  // a map of w holds one w per image: the mean of the projection's per-layer ws
    if (!features && result_.dimensions > 0 && !projected_->ws.empty() &&
        projected_->ws.size() % static_cast<std::size_t>(result_.dimensions) == 0) {
        const std::size_t layers = projected_->ws.size() / static_cast<std::size_t>(result_.dimensions);
        w.assign(static_cast<std::size_t>(result_.dimensions), 0.0f);
        for (std::size_t i = 0; i < projected_->ws.size(); ++i)
            w[i % w.size()] += projected_->ws[i] / static_cast<float>(layers);
    }
    try {
        placement_ = features ? placeProjection(result_, projected_->targetFeatures, projected_->projectionFeatures)
                              : placeProjection(result_, {}, w);
    } catch (const std::exception& e) {
        projectionInfo_->setText(tr("The image just projected cannot be placed: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    // Drawn last, so on top of the map's points; large, with the text colour's thick outline.
    const QColor ink = palette().color(QPalette::WindowText), paper = palette().color(QPalette::Base);
    const auto addMarker = [&](const QString& name, QScatterSeries::MarkerShape shape, double size, const QColor& fill,
                               const QList<QPointF>& points) {
        auto* series = new QScatterSeries;
        series->setName(name);
        series->setMarkerShape(shape);
        series->setMarkerSize(size);
        series->setBrush(fill);
        series->setPen(QPen(ink, 2.5));
        series->append(points);
        chart_->addSeries(series);
        series->attachAxis(horizontal.first());
        series->attachAxis(vertical.first());
        projectionSeries_.push_back(series);
    };
    QList<QPointF> rings;
    for (int index : {placement_.nearestReal, placement_.nearestSynthetic})
        if (index >= 0)
            rings << result_.xy[index];
    addMarker(tr("nearest to it"), QScatterSeries::MarkerShapeCircle, 24, Qt::transparent, rings);
    addMarker(tr("its projection"), QScatterSeries::MarkerShapeTriangle, 20, paper, {placement_.projection});
    if (placement_.hasTarget)
        addMarker(tr("image projected"), QScatterSeries::MarkerShapeStar, 28, ink, {placement_.target});
    const auto describe = [this](int index, double distance) {
        if (index < 0)
            return tr("none on this map");
        const auto& p = result_.points[index];
        return tr("%1 (%2, distance %3)").arg(p.id, p.className).arg(distance, 0, 'f', 2);
    };
    // An input unlike the lesions the model knows gets a place too, but its neighbours mean little.
    const QString caution = projected_->outOfDistribution
                                ? tr("%1: its place and nearest points say little (see the Project tab). ")
                                      .arg(projected_->calibratedReading.section(QLatin1Char(':'), 0, 0))
                                : QString();
    projectionInfo_->setText(caution +
        tr("%1 placed by its %2 nearest map points (weighted as UMAP weighs neighbours; the map is not refitted). Nearest to %3, ringed: "
           "real %4; synthetic %5.")
            .arg(placement_.hasTarget ? tr("★ The image projected and ▲ its projection are") : tr("▲ Its projection (a map of w has no place for the image itself) is"))
            .arg(placement_.neighbours)
            .arg(placement_.hasTarget ? tr("the image") : tr("the projection"))
            .arg(describe(placement_.nearestReal, placement_.realDistance), describe(placement_.nearestSynthetic, placement_.syntheticDistance)));
}

int EmbeddingView::nearestIn(QScatterSeries* series, const QPointF& point) const
{
    for (const auto& [candidate, indices] : series_) {
        if (candidate != series)
            continue;
        int best = -1;
        double bestDistance = 1e300;
        for (int i : indices) {
            const QPointF d = result_.xy[i] - point;
            const double distance = d.x() * d.x() + d.y() * d.y();
            if (distance < bestDistance)
                bestDistance = distance, best = i;
        }
        return best;
    }
    return -1;
}

void EmbeddingView::preview(int index)
{
    if (index < 0 || index >= result_.points.size())
        return;
    const auto& p = result_.points[index];
    if (result_.thumbnails[index].isNull() && p.source == QLatin1String("synthetic")) {
        // A saved map stores no images: render the point's seed as the map's synthetic images were made.
        explain::LatentRecipe recipe;
        recipe.seed = p.seed;
        recipe.classIndex = std::max(0, p.classIndex);
        try {
            result_.thumbnails[index] = session_.render(recipe);
        } catch (const std::exception& e) {
            thumbnail_->setText(tr("No preview: %1").arg(QString::fromStdString(e.what())));
            thumbnail_->setWordWrap(true);
            pointInfo_->setText(tr("<b>%1</b> · %2 · %3").arg(p.source, p.className.toHtmlEscaped(), p.id.toHtmlEscaped()));
            return;
        }
    }
    if (result_.thumbnails[index].isNull()) {
        thumbnail_->setText(p.source == QLatin1String("real")
                                ? tr("Real images are not stored in saved maps: compute the map with the dataset to see them.")
                                : tr("No preview: saved maps store no images."));
        thumbnail_->setWordWrap(true);
        pointInfo_->setText(tr("<b>%1</b> · %2 · %3").arg(p.source, p.className.toHtmlEscaped(), p.id.toHtmlEscaped()));
        return;
    }
    QImage image = result_.thumbnails[index].scaled(thumbnail_->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation);
    if (p.source != QLatin1String("real")) {  // a generated image is never shown unmarked
        QPainter painter(&image);
        paintSyntheticBadge(painter, image.rect());
    }
    thumbnail_->setPixmap(QPixmap::fromImage(image));
    pointInfo_->setText(tr("<b>%1</b> · %2 · %3").arg(p.source, p.className.toHtmlEscaped(), p.id.toHtmlEscaped()));
}

void EmbeddingView::selectPoint(int index)
{
    if (index < 0 || index >= result_.points.size())
        return;
    selected_ = index;
    preview(index);
    openButton_->setEnabled(result_.points[index].source == QLatin1String("synthetic"));
}

QString EmbeddingView::exportCsv(const QString& file) const { return writeMapFile(result_, session_, file); }

QString EmbeddingView::exportPng(const QString& file)
{
    if (result_.points.isEmpty())
        return tr("no map to export: compute one first");
    return chartView_->grab().save(file, "PNG") ? QString() : tr("cannot write %1").arg(file);
}

} // namespace dermgan::ui
