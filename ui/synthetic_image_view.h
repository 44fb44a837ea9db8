#pragma once
// Shows a synthetic lesion scaled to fit, always with a visible "SYNTHETIC" badge: a generated image must
// never pass for a patient's photograph, not even in a screenshot.
#include <QImage>
#include <QWidget>

class QPainter;

namespace dermgan::ui {

// Paints the SYNTHETIC badge in the top-left corner of `image` (where an image was drawn), sized to it:
// the one mark every view puts on generated images.
void paintSyntheticBadge(QPainter& painter, const QRect& image);

class SyntheticImageView : public QWidget {
    Q_OBJECT
public:
    explicit SyntheticImageView(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    QSize sizeHint() const override { return {384, 384}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
};

} // namespace dermgan::ui
