#pragma once
// The explorer's handle on one generator and its direction file: loads them (CPU or CUDA), describes them
// and renders recipes. Its .cpp sees LibTorch (as do the *_job.cpp files); this header holds no torch
// types, so widgets that include it compile fast. Copies share the loaded model; loading replaces it for this copy only, so
// a render still running on an old copy finishes safely.
#include <functional>
#include <memory>
#include <vector>

#include <QImage>
#include <QList>
#include <QString>
#include <QStringList>

#include "explain/latent_recipe.h"

namespace dermgan {
struct GeneratorModel;
}

namespace dermgan::ui {

struct DirectionInfo {
    QString name;
    QString kind;            // pca, class, boundary
    double explained = 0;    // pca: share of variance; boundary: training accuracy
    int firstLayer = 0, lastLayer = -1;
};

class GeneratorSession {
public:
    GeneratorSession();

    // device: "auto", "cpu", "cuda". Throws dermgan::InputError (one line) for a missing, truncated or
    // foreign file. Also loads "<stem>.directions.json" beside the model when there is one.
    void load(const QString& path, const QString& device = QStringLiteral("auto"));
    // Throws InputError, e.g. for a direction file made for another model.
    void loadDirections(const QString& path);

    bool isLoaded() const;
    QString path() const;
    QString hash() const;
    QString deviceName() const;
    int resolution() const;
    int numWs() const;
    QStringList classNames() const;  // empty for an unconditional model
    // The class with the most training images, as the model file records them (progress "class_images");
    // 0 when it records none (older files, imports) or the model is unconditional.
    int commonestClass() const;
    double kimg() const;
    QString directionsPath() const;
    QList<DirectionInfo> directions() const;
    QString cardHtml() const;        // resolution, classes, training, metrics beside the file if any

    // InputError (one line) when the open model cannot render `recipe`: class, psi, layers or ws out of range.
    void requireRenderable(const explain::LatentRecipe& recipe) const;
    // Renders on the calling thread (the render queue calls it off the GUI thread). Throws InputError.
    QImage render(const explain::LatentRecipe& recipe) const;
    // The same frame in stages: for models of kFirstProgressiveResolution px and more, preview(image) gets the
    // coarse image (8x8 up to half the resolution, unscaled) after each synthesis block; stop() is polled
    // before every layer and, when it returns true, ends the render with a null QImage.
    static constexpr int kFirstProgressiveResolution = 128;  // a 64x64 frame takes ~15 ms: previews would only flicker
    QImage render(const explain::LatentRecipe& recipe, const std::function<void(const QImage&)>& preview,
                  const std::function<bool()>& stop) const;
    // The recipe's per-layer latents, [numWs * wDim] row-major (what a walk interpolates). Throws InputError.
    std::vector<float> latent(const explain::LatentRecipe& recipe) const;
    static constexpr int kMaxExportScale = 32;
    // PNG with text chunks: synthetic=true, seed, diagnosis, recipe JSON, model and hash. Atomic. `scale` > 1
    // enlarges the model's image by repeating pixels (nearest neighbour): no detail is added, and the text
    // chunks say so and give the model's own resolution. Throws InputError (scale outside 1-32, no model).
    void exportPng(const explain::LatentRecipe& recipe, const QString& file, int scale = 1) const;
    // The export's default name: "synthetic-mel-seed7.png", "synthetic-projected.png", "...-x8.png" when enlarged.
    QString exportFileName(const explain::LatentRecipe& recipe, int scale = 1) const;

    // For the core jobs of the UI's other LibTorch files (map_job.cpp, projection_job.cpp, reader_study_job.cpp).
    // Requires isLoaded().
    const GeneratorModel& generatorModel() const;
    // The training dataset recorded in the model, when that folder exists from here; else empty.
    QString trainingDataset() const;

    static bool cudaAvailable();

private:
    struct Model;
    std::shared_ptr<const Model> model_;
};

} // namespace dermgan::ui
