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
    const QString badge = tr("SYNTHETIC");
    QFont font = painter.font();
    font.setBold(true);
    font.setPointSizeF(std::max(8.0, side / 28.0));
    painter.setFont(font);
    const QRect text = painter.fontMetrics().boundingRect(badge).adjusted(-6, -3, 6, 3);
    const QRect box(target.left() + 6, target.top() + 6, text.width(), text.height());
    painter.fillRect(box, QColor(0, 0, 0, 170));
    painter.setPen(Qt::white);
    painter.drawText(box, Qt::AlignCenter, badge);
}

} // namespace dermgan::ui
