#pragma once
// Everything that decides one synthetic image in the explorer: seed, class, truncation, noise, moves along
// named latent directions (each on a layer range) and style mixing with a second seed. A recipe is plain
// data (JSON for saved explorer states and undo) without LibTorch types; latent_render.h renders it.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nets/noise_mode.h"

namespace dermgan::explain {

struct DirectionEdit {
    std::string name;      // a LatentDirection's name in the loaded DirectionSet
    double amount = 0;     // in standard deviations of w along the direction
    int firstLayer = 0, lastLayer = -1;

    bool operator==(const DirectionEdit& other) const;
};

struct StyleMix {
    bool enabled = false;
    std::uint32_t seed = 1;
    int firstLayer = 4, lastLayer = -1;  // layers taken from the second seed (default: the fine styles)

    bool operator==(const StyleMix& other) const;
};

struct LatentRecipe {
    std::uint32_t seed = 0;
    int classIndex = 0;  // ignored by unconditional models
    double psi = 1.0;
    nets::NoiseMode noise = nets::NoiseMode::Const;
    std::vector<DirectionEdit> edits;  // zero amounts may be left in or out
    StyleMix mix;
    // A projected latent [numWs * wDim], row-major, that replaces the seed's ws (then mixing and edits
    // apply as usual); empty for seeded images.
    std::vector<float> ws;

    bool operator==(const LatentRecipe& other) const;
    bool operator!=(const LatentRecipe& other) const { return !(*this == other); }
};

// The point `t` of the straight walk in W+ from latent `a` to latent `b` (both [numWs * wDim], as from
// recipeWs): `base` with ws = (1 - t) a + t b. Edits are zeroed and mixing is off, since a and b already
// hold them. InputError for latents of different sizes.
LatentRecipe walkRecipe(const LatentRecipe& base, const std::vector<float>& a, const std::vector<float>& b, double t);

nlohmann::json toJson(const LatentRecipe& recipe);
// InputError naming the field for a malformed recipe.
LatentRecipe recipeFromJson(const nlohmann::json& json);

// InputError when `recipe` cannot be rendered by a model with `classCount` classes (0 = unconditional) and
// `numWs` x `wDim` latents: a class out of range, psi outside [-2, 2], layers past num_ws, ws of another size.
// A saved state of class 99 was applied and left the old image on screen.
void requireRenderable(const LatentRecipe& recipe, int classCount, int numWs, int wDim);

} // namespace dermgan::explain
