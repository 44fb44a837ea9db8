#include "gallery_view.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "background_job.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

constexpr int kTile = 112;

// The thumbnail as shown in the grid: scaled, with a small SYNTHETIC badge.
QPixmap badged(const QImage& image)
{
    QImage tile = image.scaled(kTile, kTile, Qt::KeepAspectRatio, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB32);
    QPainter painter(&tile);
    paintSyntheticBadge(painter, tile.rect());
    painter.end();
    return QPixmap::fromImage(tile);
}

} // namespace

GalleryView::GalleryView(QWidget* parent) : QWidget(parent)
{
    perClass_ = new QSpinBox;
    perClass_->setRange(1, 24);
    perClass_->setValue(8);
    perClass_->setAccessibleName(tr("Images per class"));
    firstSeed_ = new QSpinBox;
    firstSeed_->setRange(0, 1000000);
    firstSeed_->setAccessibleName(tr("First seed"));
    psi_ = new QDoubleSpinBox;
    psi_->setRange(0.0, 1.5);
    psi_->setSingleStep(0.05);
    psi_->setValue(0.8);
    psi_->setAccessibleName(tr("Truncation psi"));
    psi_->setToolTip(tr("Below 1: typical lesions with fewer artefacts, less variety"));
    generateButton_ = new QPushButton(tr("&Generate"));
    auto* exportButton = new QPushButton(tr("&Export all…"));
    status_ = new QLabel;
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Per class")));
    controls->addWidget(perClass_);
    controls->addWidget(new QLabel(tr("First seed")));
    controls->addWidget(firstSeed_);
    controls->addWidget(new QLabel(tr("Truncation ψ")));
    controls->addWidget(psi_);
    controls->addWidget(generateButton_);
    controls->addWidget(exportButton);
    controls->addWidget(status_, 1);

    table_ = new QTableWidget;
    table_->setObjectName(QStringLiteral("galleryTable"));
    table_->setAccessibleName(tr("Gallery of synthetic lesions, one row per diagnosis"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setIconSize(QSize(kTile, kTile));
    table_->horizontalHeader()->setDefaultSectionSize(kTile + 6);
    table_->verticalHeader()->setDefaultSectionSize(kTile + 6);
    table_->setToolTip(tr("Double-click a lesion to enlarge it"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(table_, 1);

    connect(generateButton_, &QPushButton::clicked, this, &GalleryView::generate);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Export the gallery to"));
        if (folder.isEmpty())
            return;
        const QString error = exportTo(folder);
        if (!error.isEmpty())
            Q_EMIT failed(error);
        else
            status_->setText(tr("Exported to %1").arg(folder));
    });
    connect(table_, &QTableWidget::cellDoubleClicked, this, &GalleryView::enlarge);
    connect(&watcher_, &QFutureWatcher<QList<QList<Tile>>>::finished, this, [this] {
        running_ = false;
        generateButton_->setEnabled(true);
        try {
            tiles_ = resultOrError(watcher_);
        } catch (const std::exception& e) {
            status_->setText(QString::fromStdString(e.what()));
            Q_EMIT failed(QString::fromStdString(e.what()));
            return;
        }
        fill();
        Q_EMIT galleryReady();
    });
}

GalleryView::~GalleryView()
{
    finishQuietly(watcher_);
}

void GalleryView::setSession(const GeneratorSession& session)
{
    session_ = session;
    tiles_.clear();
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    if (isVisible())
        generate();
}

void GalleryView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (tiles_.isEmpty())
        generate();  // does nothing without a model or while running
}

void GalleryView::setPerClass(int count) { perClass_->setValue(count); }

void GalleryView::generate()
{
    if (running_ || !session_.isLoaded())
        return;
    running_ = true;
    generateButton_->setEnabled(false);
    status_->setText(tr("Generating…"));
    const GeneratorSession session = session_;
    const int classes = std::max<int>(1, static_cast<int>(session.classNames().size()));
    const int perClass = perClass_->value();
    const auto firstSeed = static_cast<std::uint32_t>(firstSeed_->value());
    const double psi = psi_->value();
    watcher_.setFuture(QtConcurrent::run([session, classes, perClass, firstSeed, psi] {
        QList<QList<Tile>> tiles;
        for (int c = 0; c < classes; ++c) {
            QList<Tile> row;
            for (int i = 0; i < perClass; ++i) {
                Tile tile;
                tile.recipe.seed = firstSeed + static_cast<std::uint32_t>(i);  // the same seeds in every row
                tile.recipe.classIndex = c;
                tile.recipe.psi = psi;
                tile.image = session.render(tile.recipe);
                row.push_back(tile);
            }
            tiles.push_back(row);
        }
        return tiles;
    }));
}

void GalleryView::fill()
{
    const QStringList classes = session_.classNames();
    table_->clear();
    table_->setRowCount(rows());
    table_->setColumnCount(columns());
    QStringList rowNames, columnNames;
    for (int r = 0; r < rows(); ++r) {
        rowNames << (r < classes.size() ? classes[r] : tr("all"));
        for (int c = 0; c < columns(); ++c) {
            auto* item = new QTableWidgetItem(QIcon(badged(tiles_[r][c].image)), QString());
            item->setToolTip(tr("Synthetic %1, seed %2").arg(rowNames.last()).arg(tiles_[r][c].recipe.seed));
            table_->setItem(r, c, item);
        }
    }
    for (int c = 0; c < columns(); ++c)
        columnNames << tr("seed %1").arg(tiles_.isEmpty() ? 0 : tiles_[0][c].recipe.seed);
    table_->setVerticalHeaderLabels(rowNames);
    table_->setHorizontalHeaderLabels(columnNames);
    status_->setText(tr("%1 synthetic lesions; the same seeds in every row, so a column shows one latent across diagnoses.")
                         .arg(rows() * columns()));
}

int GalleryView::rows() const { return tiles_.size(); }
int GalleryView::columns() const { return tiles_.isEmpty() ? 0 : tiles_[0].size(); }
const explain::LatentRecipe& GalleryView::recipeAt(int row, int column) const { return tiles_.at(row).at(column).recipe; }
QImage GalleryView::imageAt(int row, int column) const { return tiles_.at(row).at(column).image; }

QString GalleryView::exportTo(const QString& folder) const
{
    if (tiles_.isEmpty())
        return tr("nothing to export: generate the gallery first");
    if (!QDir().mkpath(folder))
        return tr("cannot create the folder %1").arg(folder);
    const QStringList classes = session_.classNames();
    try {
        for (int r = 0; r < rows(); ++r)
            for (int c = 0; c < columns(); ++c) {
                const auto& recipe = tiles_[r][c].recipe;
                const QString name = QStringLiteral("synthetic-%1-seed%2.png").arg(r < classes.size() ? classes[r] : QStringLiteral("all")).arg(recipe.seed);
                session_.exportPng(recipe, QDir(folder).filePath(name));
            }
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void GalleryView::enlarge(int row, int column)
{
    if (row < 0 || row >= rows() || column < 0 || column >= columns())
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Synthetic lesion, seed %1").arg(tiles_[row][column].recipe.seed));
    auto* image = new SyntheticImageView;
    image->setImage(tiles_[row][column].image);
    image->setMinimumSize(448, 448);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton* open = buttons->addButton(tr("Open in &generator"), QDialogButtonBox::AcceptRole);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(image);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(open, &QPushButton::clicked, &dialog, &QDialog::accept);
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT openRecipe(tiles_[row][column].recipe);
}

} // namespace dermgan::ui
