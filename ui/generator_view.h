#pragma once
// The generate / browse view: a synthetic lesion and the controls of its recipe (seed, class, truncation,
// noise, direction sliders with layer ranges, style mixing, a walk between two latents). Every change is one undo step (a slider drag
// is one step, from press to release) and is rendered through the latest-wins render queue.
#include <functional>
#include <vector>

#include <QWidget>

#include "explain/latent_recipe.h"
#include "generator_session.h"

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QUndoStack;
class QVBoxLayout;

namespace dermgan::ui {

class RenderQueue;
class SyntheticImageView;

class GeneratorView : public QWidget {
    Q_OBJECT
public:
    GeneratorView(QUndoStack* undoStack, QWidget* parent = nullptr);

    // Rebuilds the class list and the direction sliders, resets the recipe and renders.
    void setSession(const GeneratorSession& session);
    const GeneratorSession& session() const { return session_; }
    const explain::LatentRecipe& recipe() const { return recipe_; }
    // Shows `recipe` (widgets and image) without an undo step: undo/redo and restored states use it.
    void showRecipe(const explain::LatentRecipe& recipe);
    // Like a user edit: one undo step named `what`.
    void editRecipe(const explain::LatentRecipe& recipe, const QString& what);

    RenderQueue* renderQueue() const { return queue_; }
    SyntheticImageView* imageView() const { return image_; }
    QSpinBox* seedBox() const { return seed_; }
    QSlider* psiSlider() const { return psi_; }
    QComboBox* classBox() const { return class_; }
    const std::vector<QSlider*>& directionSliders() const { return directionSliders_; }
    // Beside each slider: its value in standard deviations, which can also be typed.
    const std::vector<QDoubleSpinBox*>& directionAmounts() const { return directionAmounts_; }
    QSlider* walkSlider() const { return walk_; }
    // The walk's ends: the current image's latents become end A or B (walkSlider then moves from A to B).
    void setWalkEnd(bool endB);

Q_SIGNALS:
    void frameShown(double milliseconds);
    void previewShown(double milliseconds);  // a coarse stage of a large model's frame is on screen
    void errorOccurred(const QString& message);

private:
    QWidget* buildControls();
    void rebuildDirections();
    void syncWidgets();
    QString describeLatent(const explain::LatentRecipe& recipe) const;  // "seed 7", "W latent ...", "W+ latent ..."
    void change(const QString& what, const std::function<void(explain::LatentRecipe&)>& apply, bool dragging);
    void connectDrag(QSlider* slider, const QString& what, const std::function<void(explain::LatentRecipe&, int)>& apply);

    GeneratorSession session_;
    explain::LatentRecipe recipe_, dragStart_;
    QUndoStack* undo_ = nullptr;
    RenderQueue* queue_ = nullptr;
    SyntheticImageView* image_ = nullptr;
    QLabel* frameInfo_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QPushButton* randomSeed_ = nullptr;
    QComboBox* class_ = nullptr;
    QSlider* psi_ = nullptr;
    QLabel* psiValue_ = nullptr;
    QComboBox* noise_ = nullptr;
    QGroupBox* directionsBox_ = nullptr;
    QVBoxLayout* directionsLayout_ = nullptr;
    std::vector<QSlider*> directionSliders_;
    std::vector<QDoubleSpinBox*> directionAmounts_;
    std::vector<QSpinBox*> directionFirst_, directionLast_;
    QGroupBox* mixBox_ = nullptr;
    QSpinBox* mixSeed_ = nullptr;
    QSpinBox* mixFirst_ = nullptr;
    QSpinBox* mixLast_ = nullptr;
    std::vector<float> walkA_, walkB_;
    explain::LatentRecipe walkBase_;
    QString walkNameA_, walkNameB_;
    QSlider* walk_ = nullptr;
    QLabel* walkEnds_ = nullptr;
};

} // namespace dermgan::ui
