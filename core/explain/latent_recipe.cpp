#include "explain/latent_recipe.h"

#include "common/errors.h"

namespace dermgan::explain {

bool DirectionEdit::operator==(const DirectionEdit& other) const
{
    return name == other.name && amount == other.amount && firstLayer == other.firstLayer && lastLayer == other.lastLayer;
}

bool StyleMix::operator==(const StyleMix& other) const
{
    return enabled == other.enabled && seed == other.seed && firstLayer == other.firstLayer && lastLayer == other.lastLayer;
}

bool LatentRecipe::operator==(const LatentRecipe& other) const
{
    return seed == other.seed && classIndex == other.classIndex && psi == other.psi && noise == other.noise &&
           edits == other.edits && mix == other.mix && ws == other.ws;
}

namespace {

const char* noiseName(nets::NoiseMode mode)
{
    return mode == nets::NoiseMode::Random ? "random" : mode == nets::NoiseMode::None ? "none" : "const";
}

nets::NoiseMode noiseFromName(const std::string& name)
{
    if (name == "const")
        return nets::NoiseMode::Const;
    if (name == "random")
        return nets::NoiseMode::Random;
    if (name == "none")
        return nets::NoiseMode::None;
    throw InputError("recipe noise '" + name + "' is not known; expected const, random or none");
}

template <typename T>
T field(const nlohmann::json& json, const char* key, T fallback)
{
    if (!json.contains(key))
        return fallback;
    try {
        return json.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw InputError(std::string("recipe field '") + key + "' has the wrong type: " + json.at(key).dump());
    }
}

} // namespace

LatentRecipe walkRecipe(const LatentRecipe& base, const std::vector<float>& a, const std::vector<float>& b, double t)
{
    if (a.empty() || a.size() != b.size())
        throw InputError("the walk's two latents have " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                         " values; expected two latents of one model");
    LatentRecipe recipe = base;
    recipe.ws.resize(a.size());
    const auto u = static_cast<float>(t);
    for (std::size_t i = 0; i < a.size(); ++i)
        recipe.ws[i] = (1.0f - u) * a[i] + u * b[i];
    for (auto& edit : recipe.edits)
        edit.amount = 0;
    recipe.mix.enabled = false;
    return recipe;
}

nlohmann::json toJson(const LatentRecipe& recipe)
{
    nlohmann::json edits = nlohmann::json::array();
    for (const auto& edit : recipe.edits)
        edits.push_back({{"name", edit.name}, {"amount", edit.amount}, {"first_layer", edit.firstLayer}, {"last_layer", edit.lastLayer}});
    return {{"seed", recipe.seed},
            {"class", recipe.classIndex},
            {"psi", recipe.psi},
            {"noise", noiseName(recipe.noise)},
            {"edits", edits},
            {"mix", {{"enabled", recipe.mix.enabled}, {"seed", recipe.mix.seed}, {"first_layer", recipe.mix.firstLayer},
                     {"last_layer", recipe.mix.lastLayer}}},
            {"ws", recipe.ws}};
}

LatentRecipe recipeFromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        throw InputError("a latent recipe must be a JSON object; got " + json.dump().substr(0, 80));
    LatentRecipe recipe;
    recipe.seed = field<std::uint32_t>(json, "seed", recipe.seed);
    recipe.classIndex = field<int>(json, "class", recipe.classIndex);
    recipe.psi = field<double>(json, "psi", recipe.psi);
    recipe.noise = noiseFromName(field<std::string>(json, "noise", "const"));
    for (const auto& item : field<nlohmann::json>(json, "edits", nlohmann::json::array())) {
        DirectionEdit edit;
        edit.name = field<std::string>(item, "name", "");
        edit.amount = field<double>(item, "amount", 0.0);
        edit.firstLayer = field<int>(item, "first_layer", 0);
        edit.lastLayer = field<int>(item, "last_layer", -1);
        recipe.edits.push_back(edit);
    }
    const auto mix = field<nlohmann::json>(json, "mix", nlohmann::json::object());
    recipe.mix.enabled = field<bool>(mix, "enabled", false);
    recipe.mix.seed = field<std::uint32_t>(mix, "seed", recipe.mix.seed);
    recipe.mix.firstLayer = field<int>(mix, "first_layer", recipe.mix.firstLayer);
    recipe.mix.lastLayer = field<int>(mix, "last_layer", recipe.mix.lastLayer);
    recipe.ws = field<std::vector<float>>(json, "ws", {});
    return recipe;
}

void requireRenderable(const LatentRecipe& recipe, int classCount, int numWs, int wDim)
{
    if (classCount > 0 && (recipe.classIndex < 0 || recipe.classIndex >= classCount))
        throw InputError("class " + std::to_string(recipe.classIndex) + " is out of range; expected 0 to " +
                         std::to_string(classCount - 1) + " for this model's " + std::to_string(classCount) + " classes");
    if (!(recipe.psi >= -2.0 && recipe.psi <= 2.0))
        throw InputError("psi " + std::to_string(recipe.psi) + " is out of range; expected -2 to 2");
    auto requireLayers = [numWs](const std::string& what, int first, int last) {
        if (first < 0 || first >= numWs || last >= numWs || last < -1 || (last >= 0 && last < first))
            throw InputError(what + " spans layers " + std::to_string(first) + " to " + std::to_string(last) +
                             "; expected layers from 0 to " + std::to_string(numWs - 1) + " (-1: the last)");
    };
    for (const auto& edit : recipe.edits)
        requireLayers("edit '" + edit.name + "'", edit.firstLayer, edit.lastLayer);
    if (recipe.mix.enabled)
        requireLayers("style mixing", recipe.mix.firstLayer, recipe.mix.lastLayer);
    if (!recipe.ws.empty() && recipe.ws.size() != static_cast<std::size_t>(numWs) * static_cast<std::size_t>(wDim))
        throw InputError("the latent ws has " + std::to_string(recipe.ws.size()) + " values; expected num_ws x w_dim = " +
                         std::to_string(numWs * wDim));
}

} // namespace dermgan::explain
