#pragma once
// The gallery for dermatologists: N synthetic lesions per diagnosis in a grid (one row per class), each
// badged SYNTHETIC; double-click enlarges one (and can open it in the generator); Export writes them all
// as PNGs carrying their recipe and the synthetic mark. It generates itself when first shown for a model.
#include <QFutureWatcher>
#include <QList>
#include <QWidget>

#include "explain/latent_recipe.h"
#include "generator_session.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace dermgan::ui {

class GalleryView : public QWidget {
    Q_OBJECT
public:
    explicit GalleryView(QWidget* parent = nullptr);
    ~GalleryView() override;

    void setSession(const GeneratorSession& session);
    void setPerClass(int count);
    void generate();  // in the background; galleryReady follows
    bool busy() const { return running_; }
    int rows() const;
    int columns() const;
    const explain::LatentRecipe& recipeAt(int row, int column) const;
    QImage imageAt(int row, int column) const;
    // Writes every image to `folder` (created): synthetic-<class>-seed<N>.png. Empty on success, else why.
    QString exportTo(const QString& folder) const;
    void enlarge(int row, int column);

Q_SIGNALS:
    void galleryReady();
    void openRecipe(const dermgan::explain::LatentRecipe& recipe);
    void failed(const QString& message);

protected:
    // The first time the gallery is shown for a model it fills itself: an empty grid behind a Generate
    // button made first-time users think the model had failed.
    void showEvent(QShowEvent* event) override;

private:
    struct Tile {
        explain::LatentRecipe recipe;
        QImage image;
    };
    void fill();

    GeneratorSession session_;
    QList<QList<Tile>> tiles_;  // [class][column]
    QFutureWatcher<QList<QList<Tile>>> watcher_;
    bool running_ = false;
    QSpinBox* perClass_ = nullptr;
    QSpinBox* firstSeed_ = nullptr;
    QDoubleSpinBox* psi_ = nullptr;
    QPushButton* generateButton_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* status_ = nullptr;
};

} // namespace dermgan::ui
