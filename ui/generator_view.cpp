#include "generator_view.h"

#include <cmath>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include "render_queue.h"
#include "synthetic_image_view.h"

namespace dermgan::ui {

namespace {

constexpr int kPsiScale = 100;        // psi slider: hundredths
constexpr int kAmountScale = 100;     // direction sliders: hundredths of a standard deviation
constexpr int kMaxAmount = 3 * kAmountScale;
constexpr int kMaxSeed = 2147483647;  // QSpinBox is int; seeds above 2^31 are left to the CLI
constexpr int kNoSeed = -1;           // the seed box's value while a projected or walked latent is shown

// Undo step between two recipes: redo shows `after`, undo shows `before`.
class RecipeCommand : public QUndoCommand {
public:
    RecipeCommand(GeneratorView* view, explain::LatentRecipe before, explain::LatentRecipe after, const QString& text)
        : QUndoCommand(text), view_(view), before_(std::move(before)), after_(std::move(after))
    {
    }
    void undo() override { view_->showRecipe(before_); }
    void redo() override { view_->showRecipe(after_); }

private:
    GeneratorView* view_;
    explain::LatentRecipe before_, after_;
};

// A W projection is stored per layer like a W+ one, with the same w in every row: say which it is.
bool sameWForEveryLayer(const std::vector<float>& ws, int numWs)
{
    if (numWs <= 1 || ws.size() % static_cast<std::size_t>(numWs) != 0)
        return true;
    const std::size_t wDim = ws.size() / static_cast<std::size_t>(numWs);
    for (std::size_t i = wDim; i < ws.size(); ++i)
        if (ws[i] != ws[i % wDim])
            return false;
    return true;
}

QSpinBox* layerBox(int numWs, int value, const QString& name)
{
    auto* box = new QSpinBox;
    box->setRange(0, std::max(0, numWs - 1));
    box->setValue(value < 0 ? numWs - 1 : value);
    box->setAccessibleName(name);
    return box;
}

} // namespace

GeneratorView::GeneratorView(QUndoStack* undoStack, QWidget* parent) : QWidget(parent), undo_(undoStack)
{
    queue_ = new RenderQueue(this);
    image_ = new SyntheticImageView;
    frameInfo_ = new QLabel;
    frameInfo_->setObjectName(QStringLiteral("frameInfo"));
    auto* left = new QVBoxLayout;
    left->addWidget(image_, 1);
    left->addWidget(frameInfo_);
    auto* scroll = new QScrollArea;
    scroll->setWidget(buildControls());
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(340);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addWidget(scroll);

    connect(queue_, &RenderQueue::frameReady, this, [this](const QImage& image, double milliseconds) {
        image_->setImage(image);
        const auto& shown = queue_->shownRecipe();
        frameInfo_->setText(describeLatent(shown) + tr(" · %1 ms").arg(milliseconds, 0, 'f', 0));
        Q_EMIT frameShown(milliseconds);
    });
    connect(queue_, &RenderQueue::previewReady, this, [this](const QImage& image, double milliseconds) {
        image_->setImage(image);  // scaled smoothly to the view, as the full frame is
        frameInfo_->setText(tr("coarse %1 x %1 stage, refining · %2 ms").arg(image.width()).arg(milliseconds, 0, 'f', 0));
        Q_EMIT previewShown(milliseconds);
    });
    connect(queue_, &RenderQueue::renderFailed, this, &GeneratorView::errorOccurred);
    setEnabled(false);
}

QWidget* GeneratorView::buildControls()
{
    auto* controls = new QWidget;
    auto* column = new QVBoxLayout(controls);
    auto* form = new QFormLayout;

    seed_ = new QSpinBox;
    seed_->setRange(kNoSeed, kMaxSeed);
    seed_->setSpecialValueText(tr("none (a latent is shown)"));  // shown at kNoSeed
    seed_->setAccessibleName(tr("Seed"));
    seed_->setToolTip(tr("The latent z of seed s is numpy.random.RandomState(s).randn, as in the reference scripts"));
    randomSeed_ = new QPushButton(tr("&Random"));
    randomSeed_->setAccessibleName(tr("Random seed"));
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(randomSeed_);
    auto* seedLabel = new QLabel(tr("&Seed"));
    seedLabel->setBuddy(seed_);
    form->addRow(seedLabel, seedRow);
    connect(seed_, &QSpinBox::valueChanged, this, [this](int value) {
        if (value == kNoSeed) {  // stepped below 0: not a seed; show what is on screen again
            syncWidgets();
            return;
        }
        change(tr("Seed %1").arg(value), [value](explain::LatentRecipe& r) {
            r.seed = static_cast<std::uint32_t>(value);
            r.ws.clear();  // a seed replaces a projected latent
        }, false);
    });
    connect(randomSeed_, &QPushButton::clicked, this,
            [this] { seed_->setValue(static_cast<int>(QRandomGenerator::global()->bounded(100000))); });

    class_ = new QComboBox;
    class_->setAccessibleName(tr("Class"));
    form->addRow(tr("&Class"), class_);
    connect(class_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            change(tr("Class %1").arg(class_->itemText(index)), [index](explain::LatentRecipe& r) { r.classIndex = index; }, false);
    });

    psi_ = new QSlider(Qt::Horizontal);
    psi_->setRange(0, 2 * kPsiScale);
    psi_->setSingleStep(5);
    psi_->setPageStep(10);
    psi_->setAccessibleName(tr("Truncation psi"));
    psi_->setToolTip(tr("1 = no truncation; smaller values pull toward the average lesion (less variety, fewer artefacts)"));
    psiValue_ = new QLabel;
    psiValue_->setMinimumWidth(36);
    auto* psiRow = new QHBoxLayout;
    psiRow->addWidget(psi_, 1);
    psiRow->addWidget(psiValue_);
    auto* psiLabel = new QLabel(tr("&Truncation ψ"));
    psiLabel->setBuddy(psi_);
    form->addRow(psiLabel, psiRow);
    connectDrag(psi_, tr("Truncation"), [](explain::LatentRecipe& r, int value) { r.psi = value / double(kPsiScale); });

    noise_ = new QComboBox;
    noise_->addItems({tr("constant"), tr("random"), tr("none")});
    noise_->setAccessibleName(tr("Noise mode"));
    form->addRow(tr("&Noise"), noise_);
    connect(noise_, &QComboBox::currentIndexChanged, this, [this](int index) {
        const nets::NoiseMode modes[] = {nets::NoiseMode::Const, nets::NoiseMode::Random, nets::NoiseMode::None};
        if (index >= 0)
            change(tr("Noise %1").arg(noise_->itemText(index)), [&](explain::LatentRecipe& r) { r.noise = modes[index]; }, false);
    });
    column->addLayout(form);

    directionsBox_ = new QGroupBox(tr("Directions (standard deviations of w)"));
    directionsLayout_ = new QVBoxLayout(directionsBox_);
    column->addWidget(directionsBox_);

    mixBox_ = new QGroupBox(tr("Style &mixing"));
    mixBox_->setCheckable(true);
    mixBox_->setChecked(false);
    mixBox_->setToolTip(tr("Take the styles of the chosen layers from a second seed (early layers: shape; late: colour)"));
    auto* mixForm = new QFormLayout(mixBox_);
    mixSeed_ = new QSpinBox;
    mixSeed_->setRange(0, kMaxSeed);
    mixSeed_->setAccessibleName(tr("Second seed"));
    mixFirst_ = new QSpinBox;
    mixFirst_->setAccessibleName(tr("First mixed layer"));
    mixLast_ = new QSpinBox;
    mixLast_->setAccessibleName(tr("Last mixed layer"));
    mixForm->addRow(tr("Second seed"), mixSeed_);
    mixForm->addRow(tr("From layer"), mixFirst_);
    mixForm->addRow(tr("To layer"), mixLast_);
    column->addWidget(mixBox_);
    connect(mixBox_, &QGroupBox::toggled, this, [this](bool on) {
        change(on ? tr("Style mixing on") : tr("Style mixing off"), [on](explain::LatentRecipe& r) { r.mix.enabled = on; }, false);
    });
    connect(mixSeed_, &QSpinBox::valueChanged, this, [this](int value) {
        change(tr("Mixing seed %1").arg(value), [value](explain::LatentRecipe& r) { r.mix.seed = static_cast<std::uint32_t>(value); }, false);
    });
    connect(mixFirst_, &QSpinBox::valueChanged, this, [this](int value) {
        change(tr("Mixing layers"), [value](explain::LatentRecipe& r) { r.mix.firstLayer = value; }, false);
    });
    connect(mixLast_, &QSpinBox::valueChanged, this, [this](int value) {
        change(tr("Mixing layers"), [value](explain::LatentRecipe& r) { r.mix.lastLayer = value; }, false);
    });

    auto* walkBox = new QGroupBox(tr("&Walk between two latents"));
    walkBox->setToolTip(tr("Set A and B from any two images (seeds, edits, projections), then slide from A to B in W+"));
    auto* setA = new QPushButton(tr("Set &A"));
    setA->setObjectName(QStringLiteral("walkSetA"));
    setA->setToolTip(tr("The image on screen becomes the walk's start"));
    auto* setB = new QPushButton(tr("Set &B"));
    setB->setObjectName(QStringLiteral("walkSetB"));
    setB->setToolTip(tr("The image on screen becomes the walk's end"));
    walk_ = new QSlider(Qt::Horizontal);
    walk_->setRange(0, 100);
    walk_->setEnabled(false);
    walk_->setAccessibleName(tr("Walk from A to B"));
    walkEnds_ = new QLabel(tr("A and B not set"));
    walkEnds_->setWordWrap(true);
    auto* walkButtons = new QHBoxLayout;
    walkButtons->addWidget(setA);
    walkButtons->addWidget(setB);
    auto* walkLayout = new QVBoxLayout(walkBox);
    walkLayout->addLayout(walkButtons);
    walkLayout->addWidget(walk_);
    walkLayout->addWidget(walkEnds_);
    column->addWidget(walkBox);
    connect(setA, &QPushButton::clicked, this, [this] { setWalkEnd(false); });
    connect(setB, &QPushButton::clicked, this, [this] { setWalkEnd(true); });
    connectDrag(walk_, tr("Walk"), [this](explain::LatentRecipe& r, int value) {
        r = explain::walkRecipe(walkBase_, walkA_, walkB_, value / 100.0);
    });

    column->addStretch(1);
    return controls;
}

QString GeneratorView::describeLatent(const explain::LatentRecipe& recipe) const
{
    if (recipe.ws.empty())
        return tr("seed %1").arg(recipe.seed);
    return sameWForEveryLayer(recipe.ws, session_.numWs()) ? tr("W latent (one w for every layer: a W projection or a walk)")
                                                            : tr("W+ latent (one w per layer: a W+ projection or a walk)");
}

void GeneratorView::setWalkEnd(bool endB)
{
    try {
        (endB ? walkB_ : walkA_) = session_.latent(recipe_);
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(QString::fromStdString(e.what()));
        return;
    }
    if (!endB)
        walkBase_ = recipe_;
    const QString what = recipe_.ws.empty() ? tr("seed %1").arg(recipe_.seed) : tr("a W+ latent");
    (endB ? walkNameB_ : walkNameA_) = what + (class_->count() > 0 ? QStringLiteral(" (%1)").arg(class_->currentText()) : QString());
    walkEnds_->setText(tr("A: %1 · B: %2").arg(walkA_.empty() ? tr("not set") : walkNameA_, walkB_.empty() ? tr("not set") : walkNameB_));
    const QSignalBlocker block(walk_);
    walk_->setValue(endB ? 100 : 0);
    walk_->setEnabled(!walkA_.empty() && walkA_.size() == walkB_.size());
}

void GeneratorView::connectDrag(QSlider* slider, const QString& what, const std::function<void(explain::LatentRecipe&, int)>& apply)
{
    connect(slider, &QSlider::sliderPressed, this, [this] { dragStart_ = recipe_; });
    connect(slider, &QSlider::valueChanged, this, [this, slider, what, apply](int value) {
        change(what, [&](explain::LatentRecipe& r) { apply(r, value); }, slider->isSliderDown());
    });
    connect(slider, &QSlider::sliderReleased, this, [this, what] {
        if (recipe_ != dragStart_)
            undo_->push(new RecipeCommand(this, dragStart_, recipe_, what));
        dragStart_ = recipe_;
    });
}

void GeneratorView::change(const QString& what, const std::function<void(explain::LatentRecipe&)>& apply, bool dragging)
{
    explain::LatentRecipe next = recipe_;
    apply(next);
    if (next == recipe_)
        return;
    if (dragging) {  // one undo step at release; meanwhile show every move
        recipe_ = next;
        syncWidgets();
        queue_->request(recipe_);
    } else {
        undo_->push(new RecipeCommand(this, recipe_, next, what));  // push() calls redo(): shows `next`
    }
}

void GeneratorView::showRecipe(const explain::LatentRecipe& recipe)
{
    // One edit per loaded direction, in the sliders' order: edits of directions this file lacks are dropped.
    recipe_ = recipe;
    recipe_.edits.clear();
    for (const auto& d : session_.directions()) {
        explain::DirectionEdit edit{d.name.toStdString(), 0.0, d.firstLayer, d.lastLayer};
        for (const auto& given : recipe.edits)
            if (given.name == edit.name)
                edit = given;
        recipe_.edits.push_back(edit);
    }
    syncWidgets();
    if (session_.isLoaded())
        queue_->request(recipe_);
}

void GeneratorView::editRecipe(const explain::LatentRecipe& recipe, const QString& what)
{
    if (recipe != recipe_)
        undo_->push(new RecipeCommand(this, recipe_, recipe, what));
}

void GeneratorView::setSession(const GeneratorSession& session)
{
    session_ = session;
    queue_->setSession(session);
    {
        const QSignalBlocker block(class_);
        class_->clear();
        class_->addItems(session.classNames());
        class_->setEnabled(class_->count() > 0);
    }
    const int numWs = session.numWs();
    for (QSpinBox* box : {mixFirst_, mixLast_}) {
        const QSignalBlocker block(box);
        box->setRange(0, std::max(0, numWs - 1));
    }
    explain::LatentRecipe fresh;
    fresh.classIndex = session.commonestClass();
    fresh.mix.firstLayer = std::min(numWs / 2, std::max(0, numWs - 1));
    for (const auto& d : session.directions())
        fresh.edits.push_back({d.name.toStdString(), 0.0, d.firstLayer, d.lastLayer});
    recipe_ = fresh;
    walkA_.clear();
    walkB_.clear();
    walk_->setEnabled(false);
    walkEnds_->setText(tr("A and B not set"));
    rebuildDirections();
    undo_->clear();
    setEnabled(session.isLoaded());
    showRecipe(fresh);
}

void GeneratorView::rebuildDirections()
{
    while (QLayoutItem* item = directionsLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    directionSliders_.clear();
    directionAmounts_.clear();
    directionFirst_.clear();
    directionLast_.clear();
    const auto directions = session_.directions();
    if (directions.isEmpty()) {
        auto* hint = new QLabel(tr("No direction file loaded. File > Open directions…, or make one with\n"
                                   "dermgan directions MODEL --out MODEL.directions.json"));
        hint->setWordWrap(true);
        directionsLayout_->addWidget(hint);
        return;
    }
    const int numWs = session_.numWs();
    auto* header = new QLabel(tr("Drag a slider or type its value (±3 σ); the two boxes after it choose the layers it "
                                 "acts on, from 0 (coarse shape) to %1 (fine colour).").arg(numWs - 1));
    header->setWordWrap(true);
    directionsLayout_->addWidget(header);
    for (int i = 0; i < directions.size(); ++i) {
        const auto& d = directions[i];
        auto* row = new QWidget;
        auto* grid = new QHBoxLayout(row);
        grid->setContentsMargins(0, 0, 0, 0);
        auto* label = new QLabel(d.kind == QLatin1String("pca") ? tr("%1 (%2%)").arg(d.name).arg(100 * d.explained, 0, 'f', 1) : d.name);
        label->setMinimumWidth(90);
        auto* slider = new QSlider(Qt::Horizontal);
        slider->setRange(-kMaxAmount, kMaxAmount);
        slider->setSingleStep(10);
        slider->setPageStep(50);
        slider->setAccessibleName(tr("Direction %1").arg(d.name));
        auto* amount = new QDoubleSpinBox;
        amount->setRange(-double(kMaxAmount) / kAmountScale, double(kMaxAmount) / kAmountScale);
        amount->setDecimals(2);
        amount->setSingleStep(0.1);
        amount->setSuffix(tr(" σ"));
        amount->setKeyboardTracking(false);  // one edit when typing ends, not one per keystroke
        amount->setAccessibleName(tr("Amount of %1").arg(d.name));
        auto* first = layerBox(numWs, d.firstLayer, tr("First layer of %1").arg(d.name));
        auto* last = layerBox(numWs, d.lastLayer, tr("Last layer of %1").arg(d.name));
        first->setToolTip(tr("Apply to layers from…"));
        last->setToolTip(tr("…to (0 = coarse shape, last = fine colour)"));
        grid->addWidget(label);
        grid->addWidget(slider, 1);
        grid->addWidget(amount);
        grid->addWidget(first);
        grid->addWidget(last);
        directionsLayout_->addWidget(row);
        const auto index = static_cast<std::size_t>(i);
        connectDrag(slider, tr("Direction %1").arg(d.name),
                    [index](explain::LatentRecipe& r, int value) { r.edits[index].amount = value / double(kAmountScale); });
        connect(amount, &QDoubleSpinBox::valueChanged, this, [this, index, name = d.name](double value) {
            const double rounded = std::round(value * kAmountScale) / kAmountScale;
            change(tr("Direction %1").arg(name), [&](explain::LatentRecipe& r) { r.edits[index].amount = rounded; }, false);
        });
        connect(first, &QSpinBox::valueChanged, this, [this, index](int value) {
            change(tr("Direction layers"), [&](explain::LatentRecipe& r) { r.edits[index].firstLayer = value; }, false);
        });
        connect(last, &QSpinBox::valueChanged, this, [this, index](int value) {
            change(tr("Direction layers"), [&](explain::LatentRecipe& r) { r.edits[index].lastLayer = value; }, false);
        });
        directionSliders_.push_back(slider);
        directionAmounts_.push_back(amount);
        directionFirst_.push_back(first);
        directionLast_.push_back(last);
    }
}

void GeneratorView::syncWidgets()
{
    const QSignalBlocker b1(seed_), b2(class_), b3(psi_), b4(noise_), b5(mixBox_), b6(mixSeed_), b7(mixFirst_), b8(mixLast_);
    seed_->setValue(recipe_.ws.empty() ? static_cast<int>(std::min<std::uint32_t>(recipe_.seed, kMaxSeed)) : kNoSeed);
    if (class_->count() > 0)
        class_->setCurrentIndex(recipe_.classIndex);
    if (!psi_->isSliderDown())
        psi_->setValue(static_cast<int>(std::lround(recipe_.psi * kPsiScale)));
    psiValue_->setText(QString::number(recipe_.psi, 'f', 2));
    noise_->setCurrentIndex(recipe_.noise == nets::NoiseMode::Const ? 0 : recipe_.noise == nets::NoiseMode::Random ? 1 : 2);
    mixBox_->setChecked(recipe_.mix.enabled);
    mixSeed_->setValue(static_cast<int>(std::min<std::uint32_t>(recipe_.mix.seed, kMaxSeed)));
    const int lastLayer = std::max(0, session_.numWs() - 1);
    mixFirst_->setValue(recipe_.mix.firstLayer);
    mixLast_->setValue(recipe_.mix.lastLayer < 0 ? lastLayer : recipe_.mix.lastLayer);
    for (std::size_t i = 0; i < directionSliders_.size() && i < recipe_.edits.size(); ++i) {
        const QSignalBlocker s(directionSliders_[i]), a(directionAmounts_[i]), f(directionFirst_[i]), l(directionLast_[i]);
        if (!directionSliders_[i]->isSliderDown())
            directionSliders_[i]->setValue(static_cast<int>(std::lround(recipe_.edits[i].amount * kAmountScale)));
        directionAmounts_[i]->setValue(recipe_.edits[i].amount);
        directionFirst_[i]->setValue(recipe_.edits[i].firstLayer);
        directionLast_[i]->setValue(recipe_.edits[i].lastLayer < 0 ? lastLayer : recipe_.edits[i].lastLayer);
    }
}

} // namespace dermgan::ui
