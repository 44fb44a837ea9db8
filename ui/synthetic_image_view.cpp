#include "synthetic_image_view.h"

#include <QPainter>

namespace dermgan::ui {

SyntheticImageView::SyntheticImageView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(192, 192);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Synthetic lesion image"));
}

void SyntheticImageView::setImage(const QImage& image)
{
    image_ = image;
    setAccessibleDescription(image.isNull() ? QString() : tr("Synthetic image, %1 x %2 pixels").arg(image.width()).arg(image.height()));
    update();
}

void SyntheticImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (image_.isNull())
        return;
    const int side = std::min(width(), height());
    const QRect target((width() - side) / 2, (height() - side) / 2, side, side);
    // Smooth scaling: 64 px lesions blown up with nearest neighbours look like mosaics, not skin.
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(target, image_);
    paintSyntheticBadge(painter, target);
}

void paintSyntheticBadge(QPainter& painter, const QRect& image)
{
    const QString badge = SyntheticImageView::tr("SYNTHETIC");
    const int side = std::min(image.width(), image.height());
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(std::max(8, side / 20));
    painter.setFont(font);
    const int margin = std::max(2, side / 64);
    const QRect text = painter.fontMetrics().boundingRect(badge).adjusted(-2 * margin, -margin, 2 * margin, margin);
    const QRect box(image.left() + margin, image.top() + margin, text.width(), text.height());
    painter.fillRect(box, QColor(0, 0, 0, 170));
    painter.setPen(Qt::white);
    painter.drawText(box, Qt::AlignCenter, badge);
}

} // namespace dermgan::ui
