#include "projection_view.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QSettings>
#include <QToolButton>
#include <QLineSeries>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QLogValueAxis>
#include <QValueAxis>

#include "axis_range.h"
#include "background_job.h"
#include "data/image_label_lookup.h"
#include "palette_chart_view.h"
#include "io/png_text.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

constexpr int kPane = 160;  // three panes beside the controls fit a 1366-pixel laptop screen

QLabel* imagePane(const QString& name)
{
    auto* label = new QLabel;
    label->setFixedSize(kPane, kPane);
    label->setAlignment(Qt::AlignCenter);
    label->setFrameShape(QFrame::StyledPanel);
    label->setAccessibleName(name);
    return label;
}

// dermgan marks what it generates (PNG text dermgan:synthetic=true); a synthetic target (a test, a demo)
// must not be called real. (QImageReader::text splits keys at the first ':', so the core reader is used.)
bool isMarkedSynthetic(const QString& path)
{
    QFile file(path);
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) || !file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = file.readAll();
    try {
        const auto text = readPngText(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        const auto found = text.find("dermgan:synthetic");
        return found != text.end() && found->second == "true";
    } catch (const std::exception&) {
        return false;
    }
}

QPixmap scaled(const QImage& image)
{
    return QPixmap::fromImage(image.scaled(kPane, kPane, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

} // namespace

ProjectionView::ProjectionView(QWidget* parent) : QWidget(parent)
{
    setAcceptDrops(true);
    target_ = imagePane(tr("Real target image"));
    target_->setText(tr("Open or drop\na real image"));
    projection_ = new SyntheticImageView;
    projection_->setFixedSize(kPane, kPane);
    projection_->setAccessibleName(tr("Projection (synthetic)"));
    difference_ = imagePane(tr("Difference map"));
    auto* panes = new QGridLayout;
    targetCaption_ = new QLabel(tr("Real image (target)"));
    panes->addWidget(targetCaption_, 0, 0);
    panes->addWidget(new QLabel(tr("Projection (synthetic)")), 0, 1);
    panes->addWidget(new QLabel(tr("|difference| x 4")), 0, 2);
    panes->addWidget(target_, 1, 0);
    panes->addWidget(projection_, 1, 1);
    panes->addWidget(difference_, 1, 2);

    chart_ = new QChart;
    chart_->setTitle(tr("Loss per step"));
    chart_->legend()->setAlignment(Qt::AlignBottom);
    loss_ = new QLineSeries;
    loss_->setName(tr("image loss (perceptual + pixel)"));
    chart_->addSeries(loss_);
    noisePenalty_ = new QLineSeries;
    noisePenalty_->setName(tr("noise-map penalty"));
    chart_->addSeries(noisePenalty_);
    stepAxis_ = new QValueAxis;
    stepAxis_->setTitleText(tr("step"));
    lossAxis_ = new QLogValueAxis;  // the early noise phase is orders of magnitude above the end
    lossAxis_->setLabelFormat(QStringLiteral("%.3g"));
    chart_->addAxis(stepAxis_, Qt::AlignBottom);
    chart_->addAxis(lossAxis_, Qt::AlignLeft);
    for (QLineSeries* series : {loss_, noisePenalty_}) {
        series->attachAxis(stepAxis_);
        series->attachAxis(lossAxis_);
    }
    auto* chartView = new PaletteChartView(chart_);
    chartView->setToolTip(tr("The image loss is what the distances below measure. The noise-map penalty (as in the reference "
                             "projector) jumps now and then when a step gives the noise maps spatial structure, and "
                             "is pulled back within a few steps; it does not mean the projection got worse."));
    chartView->setMinimumHeight(220);
    chartView->setAccessibleName(tr("Loss curve"));

    auto* openImage = new QPushButton(tr("&Open image…"));
    class_ = new QComboBox;
    class_->setAccessibleName(tr("Diagnosis of the image"));
    space_ = new QComboBox;
    space_->addItem(tr("W (one latent)"));
    space_->addItem(tr("W+ (one per layer: closer, less editable)"));
    space_->setAccessibleName(tr("Latent space"));
    steps_ = new QSpinBox;
    steps_->setRange(10, 2000);
    steps_->setValue(300);
    steps_->setSingleStep(50);
    steps_->setAccessibleName(tr("Steps"));
    startButton_ = new QPushButton(tr("&Project"));
    startButton_->setObjectName(QStringLiteral("projectButton"));
    startButton_->setEnabled(false);
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    openButton_ = new QPushButton(tr("Open in &generator"));
    openButton_->setObjectName(QStringLiteral("openProjection"));
    openButton_->setEnabled(false);
    mapButton_ = new QPushButton(tr("Sho&w on map"));
    mapButton_->setObjectName(QStringLiteral("showProjectionOnMap"));
    mapButton_->setToolTip(tr("The Map tab places the image and its projection among the real and synthetic images"));
    mapButton_->setEnabled(false);
    progress_ = new QProgressBar;
    readout_ = new QLabel;
    readout_->setObjectName(QStringLiteral("projectionReadout"));
    readout_->setWordWrap(true);
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    neighbourData_ = new QLineEdit(QSettings().value(QStringLiteral("dataset")).toString());
    neighbourData_->setAccessibleName(tr("Dataset for real neighbours"));
    neighbourData_->setToolTip(tr("Real neighbours come from this dataset's training split; leave empty for synthetic neighbours only"));
    neighbourData_->setPlaceholderText(tr("dataset folder (optional)"));

    auto* form = new QFormLayout;
    form->addRow(openImage);
    form->addRow(tr("Diagnosis"), class_);
    form->addRow(tr("Latent"), space_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Neighbours"), neighbourData_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(startButton_);
    buttons->addWidget(cancelButton_);
    auto* side = new QVBoxLayout;
    side->addLayout(form);
    side->addLayout(buttons);
    side->addWidget(progress_);
    side->addWidget(readout_);
    side->addWidget(openButton_);
    side->addWidget(mapButton_);
    side->addStretch(1);
    auto* sideWidget = new QWidget;
    sideWidget->setLayout(side);
    sideWidget->setFixedWidth(330);
    neighbourRow_ = new QHBoxLayout;
    neighbourNote_ = new QLabel(tr("Nearest neighbours appear here after a projection."));
    neighbourNote_->setWordWrap(true);
    auto* neighbours = new QVBoxLayout;
    auto* neighboursTitle = new QLabel(tr("<b>Nearest neighbours of the projection</b> (derm feature cosine; click a synthetic one to open its seed)"));
    neighboursTitle->setWordWrap(true);
    neighbours->addWidget(neighboursTitle);
    neighbours->addLayout(neighbourRow_);
    neighbours->addWidget(neighbourNote_);
    auto* main = new QVBoxLayout;
    main->addLayout(panes);
    main->addWidget(chartView, 1);
    main->addLayout(neighbours);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(main, 1);
    layout->addWidget(sideWidget);

    connect(openImage, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a real image"), QString(),
                                                          tr("Images (*.jpg *.jpeg *.png *.bmp *.tif *.tiff)"));
        if (!path.isEmpty())
            setImage(path);
    });
    connect(startButton_, &QPushButton::clicked, this, &ProjectionView::start);
    connect(cancelButton_, &QPushButton::clicked, this, &ProjectionView::cancel);
    connect(openButton_, &QPushButton::clicked, this, [this] { Q_EMIT openProjected(outcome_.ws, outcome_.classIndex); });
    connect(mapButton_, &QPushButton::clicked, this, &ProjectionView::showOnMap);
}

void ProjectionView::setSession(const GeneratorSession& session)
{
    session_ = session;
    // Real neighbours come from the data the model learnt from, when that folder is here; else the last one used.
    if (const QString training = session.trainingDataset(); !training.isEmpty())
        neighbourData_->setText(training);
    class_->clear();
    class_->addItems(session.classNames());
    class_->setEnabled(class_->count() > 0);
    outcome_ = {};
    openButton_->setEnabled(false);
    mapButton_->setEnabled(false);
}

void ProjectionView::setImage(const QString& path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const bool synthetic = isMarkedSynthetic(path);
    const QImage image = reader.read();
    if (image.isNull()) {
        Q_EMIT projectionFailed(tr("%1 is not a readable image (%2)").arg(path, reader.errorString()));
        return;
    }
    image_ = path;
    targetCaption_->setText(synthetic ? tr("Target (SYNTHETIC, made by dermgan)") : tr("Real image (target)"));
    target_->setPixmap(scaled(image));
    target_->setToolTip(path);
    startButton_->setEnabled(session_.isLoaded());
    QString diagnosis = tr("Choose its diagnosis");
    if (const auto label = synthetic ? std::nullopt : findImageLabel(std::filesystem::path(path.toStdString())); label && class_->count() > 0) {
        const int index = class_->findText(QString::fromStdString(label->className));
        if (index >= 0) {
            class_->setCurrentIndex(index);
            diagnosis = tr("Diagnosis %1 from the metadata of %2; change it if needed")
                            .arg(class_->itemText(index), QString::fromStdString(label->dataset.filename().string()));
        }
    }
    readout_->setText(tr("%1: %2 x %3. %4, and press Project.").arg(QFileInfo(path).fileName()).arg(image.width()).arg(image.height()).arg(diagnosis));
}

void ProjectionView::setJob(const ProjectionJob& job)
{
    if (!job.image.isEmpty())
        setImage(job.image);
    space_->setCurrentIndex(job.wPlus ? 1 : 0);
    steps_->setValue(job.steps);
    if (job.classIndex >= 0)
        class_->setCurrentIndex(job.classIndex);
}

ProjectionJob ProjectionView::job() const
{
    ProjectionJob job;
    job.image = image_;
    job.wPlus = space_->currentIndex() == 1;
    job.steps = steps_->value();
    job.classIndex = class_->count() > 0 ? class_->currentIndex() : -1;
    job.neighbourData = neighbourData_->text().trimmed();
    return job;
}

void ProjectionView::start()
{
    if (job_.running() || image_.isEmpty() || !session_.isLoaded())
        return;
    startButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    openButton_->setEnabled(false);
    mapButton_->setEnabled(false);
    // The last projection's result and neighbours leave the screen: they belong to another image or setting.
    outcome_ = {};
    showNeighbours();
    neighbourNote_->setText(tr("Nearest neighbours appear here when this projection ends."));
    Q_EMIT projectionStarted();
    difference_->clear();
    loss_->clear();
    noisePenalty_->clear();
    maxLoss_ = 0;
    minLoss_ = 1e300;
    const ProjectionJob job = this->job();
    setDistinctRange(stepAxis_, 0, job.steps);
    progress_->setRange(0, job.steps);
    progress_->setValue(0);
    readout_->setText(tr("Projecting…"));
    job_.start([this, &job](const auto& stop) {
        return [session = session_, job, stop, self = QPointer<ProjectionView>(this)] {
            return runProjection(session, job, [stop, self](int step, double imageLoss, double noisePenalty, const QImage& current) {
                QMetaObject::invokeMethod(self, [self, step, imageLoss, noisePenalty, current] {
                    if (self)
                        self->step(step, imageLoss, noisePenalty, current);
                }, Qt::QueuedConnection);
                return !stop->load();
            });
        };
    });
}

void ProjectionView::step(int step, double imageLoss, double noisePenalty, const QImage& current)
{
    loss_->append(step, imageLoss);
    if (noisePenalty > 0)  // a log axis: a zero penalty (noise maps not optimised) is left out
        noisePenalty_->append(step, noisePenalty);
    for (double value : {imageLoss, noisePenalty})
        if (value > 0) {
            maxLoss_ = std::max(maxLoss_, value);
            minLoss_ = std::min(minLoss_, value);
        }
    if (maxLoss_ > 0)
        lossAxis_->setRange(minLoss_ * 0.8, maxLoss_ * 1.25);
    progress_->setValue(step);
    if (!current.isNull())
        projection_->setImage(current);
}

void ProjectionView::cancel() { job_.cancel(); }

void ProjectionView::finished()
{
    startButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    try {
        outcome_ = job_.result();
    } catch (const std::exception& e) {
        readout_->setText(QString::fromStdString(e.what()));
        Q_EMIT projectionFailed(QString::fromStdString(e.what()));
        return;
    }
    target_->setPixmap(scaled(outcome_.target));
    projection_->setImage(outcome_.projection);
    difference_->setPixmap(scaled(outcome_.difference));
    readout_->setText(readout());
    openButton_->setEnabled(!outcome_.ws.empty());
    mapButton_->setEnabled(!outcome_.cancelled && !outcome_.ws.empty());
    showNeighbours();
    Q_EMIT projectionFinished();
}

QString ProjectionView::readout() const
{
    if (outcome_.ws.empty())
        return {};
    QString text = outcome_.cancelled ? tr("<b>Cancelled</b>: the result so far.<br>") : QString();
    if (!outcome_.note.isEmpty())
        text += outcome_.note.toHtmlEscaped() + QStringLiteral("<br>");
    if (outcome_.outOfDistribution)
        text += tr("<b>Not like the lesions this model knows.</b> ");
    text += tr("Pixel RMSE %1 (of 255) · PSNR %2 dB · SSIM %3<br>perceptual (derm) %4 · feature cosine distance %5<br>")
                .arg(outcome_.rmse, 0, 'f', 1)
                .arg(outcome_.psnr, 0, 'f', 1)
                .arg(outcome_.ssim, 0, 'f', 3)
                .arg(outcome_.perceptual, 0, 'f', 4)
                .arg(outcome_.featureCosine, 0, 'f', 4);
    text += QStringLiteral("<i>%1</i>").arg(outcome_.calibratedReading.toHtmlEscaped());
    return text;
}

void ProjectionView::setNeighbourData(const QString& dataset) { neighbourData_->setText(dataset); }

QList<QToolButton*> ProjectionView::neighbourTiles() const
{
    QList<QToolButton*> tiles;
    for (int i = 0; i < neighbourRow_->count(); ++i)
        if (auto* tile = qobject_cast<QToolButton*>(neighbourRow_->itemAt(i)->widget()))
            tiles << tile;
    return tiles;
}

void ProjectionView::showNeighbours()
{
    while (QLayoutItem* item = neighbourRow_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    constexpr int kTile = 96;
    for (std::size_t i = 0; i < outcome_.neighbours.size(); ++i) {
        const auto& n = outcome_.neighbours[i];
        QPixmap pixmap = QPixmap::fromImage(n.image.scaled(kTile, kTile, Qt::KeepAspectRatio, Qt::SmoothTransformation));
        if (n.synthetic) {
            QPainter painter(&pixmap);
            paintSyntheticBadge(painter, pixmap.rect());
        }
        auto* tile = new QToolButton;
        tile->setObjectName(QStringLiteral("neighbour%1").arg(i));
        tile->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
        tile->setIcon(pixmap);
        tile->setIconSize(QSize(kTile, kTile));
        tile->setText(tr("%1 %2\ncos %3").arg(n.synthetic ? tr("synthetic") : tr("real"), n.id).arg(n.cosine, 0, 'f', 3));
        tile->setAccessibleName(tile->text());
        tile->setAutoRaise(true);
        if (n.synthetic) {
            tile->setToolTip(tr("Open %1 in the generator").arg(n.id));
            connect(tile, &QToolButton::clicked, this, [this, seed = n.seed, k = n.classIndex] { Q_EMIT openSynthetic(seed, k); });
        } else {
            tile->setToolTip(tr("Real image %1 (not generated)").arg(n.id));
        }
        neighbourRow_->addWidget(tile);
    }
    neighbourRow_->addStretch();
    neighbourNote_->setText(outcome_.cancelled ? tr("No neighbours: the projection was cancelled.") : outcome_.neighbourNote);
}

int ProjectionView::curvePoints() const { return loss_->count(); }

void ProjectionView::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void ProjectionView::dropEvent(QDropEvent* event)
{
    setImage(event->mimeData()->urls().first().toLocalFile());
}

} // namespace dermgan::ui
