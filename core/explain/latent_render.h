#pragma once
// Renders a LatentRecipe with a generator and the direction set its edits name.
#include <torch/types.h>

#include "explain/latent_directions.h"
#include "explain/latent_recipe.h"
#include "io/snapshot.h"

namespace dermgan::explain {

// The recipe's per-layer latents [1, numWs, wDim] on the model's device. InputError for a class out of
// range, an edit naming a direction that `directions` lacks, a layer range outside the model, or a
// projected latent of another size.
torch::Tensor recipeWs(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe);
// uint8 RGB [3, R, R] on the CPU.
torch::Tensor renderRecipe(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe);

} // namespace dermgan::explain
