#pragma once
// Renders a LatentRecipe with a generator and the direction set its edits name.
#include <functional>

#include <torch/types.h>

#include "explain/latent_directions.h"
#include "explain/latent_recipe.h"
#include "model/snapshot.h"

namespace dermgan::explain {

// The recipe's per-layer latents [1, numWs, wDim] on the model's device. InputError for a class out of
// range, an edit naming a direction that `directions` lacks, a layer range outside the model, or a
// projected latent of another size.
torch::Tensor recipeWs(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe);
// uint8 RGB [3, R, R] on the CPU.
torch::Tensor renderRecipe(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe);

// How a frame is rendered in stages (Qt's mandelbrot example: show coarse at once, refine, restart on a new
// request). A 256x256 model of the study's size needs ~300 ms a frame on 2 CPU threads, its 8x8 stage ~30
// (bench_explorer --study-size, the render alone).
struct ProgressiveRender {
    // preview(pixels) gets the coarse image (uint8 RGB [3, r, r] on the CPU; nets::SynthesisWatch::blockDone)
    // after each synthesis block of resolution r, firstPreview <= r < the model's resolution; 0: no previews.
    int firstPreview = 0;
    std::function<void(const torch::Tensor& pixels)> preview;
    // Polled before every synthesis layer; true stops the frame.
    std::function<bool()> stopRequested;
};
// renderRecipe in stages: the same full frame, or an undefined tensor when `progressive` stopped it.
torch::Tensor renderRecipe(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe,
                           const ProgressiveRender& progressive);

} // namespace dermgan::explain
