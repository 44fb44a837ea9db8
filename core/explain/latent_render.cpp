#include "explain/latent_render.h"

#include <algorithm>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"
#include "nets/latents.h"

namespace dermgan::explain {

namespace {

// [first, last] within the model's numWs, last -1 meaning the last layer.
std::pair<int, int> layerRange(int first, int last, int numWs, const std::string& what)
{
    const int end = last < 0 ? numWs - 1 : last;
    if (first < 0 || first > end || end >= numWs)
        throw InputError(what + " layers " + std::to_string(first) + "-" + std::to_string(last) + " are outside the model's 0-" +
                         std::to_string(numWs - 1));
    return {first, end};
}

torch::Tensor mappedWs(const GeneratorModel& model, std::uint32_t seed, int classIndex, double psi)
{
    const auto& network = model.network();
    const auto z = nets::latentsFromSeeds({seed}, network.zDim).to(model.device);
    const auto c = network.classCount > 0 ? nets::oneHot({classIndex}, network.classCount, z.options()) : torch::Tensor();
    nets::Generator generator = model.generator;  // a handle: the module's forward is not const
    return generator->mapping->forward(z, c, psi);
}

} // namespace

torch::Tensor recipeWs(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe)
{
    const auto& network = model.network();
    const int numWs = network.numWs();
    if (network.classCount > 0 && (recipe.classIndex < 0 || recipe.classIndex >= network.classCount))
        throw InputError("class " + std::to_string(recipe.classIndex) + " is out of range; the model has " +
                         std::to_string(network.classCount) + " classes");
    torch::NoGradGuard noGrad;
    torch::Tensor ws;
    if (recipe.ws.empty()) {
        ws = mappedWs(model, recipe.seed, recipe.classIndex, recipe.psi);
    } else {
        if (recipe.ws.size() != static_cast<std::size_t>(numWs * network.wDim))
            throw InputError("the recipe's projected latent has " + std::to_string(recipe.ws.size()) + " values; this model needs " +
                             std::to_string(numWs) + " x " + std::to_string(network.wDim));
        ws = torch::tensor(recipe.ws, torch::kFloat32).view({1, numWs, network.wDim}).to(model.device);
    }
    if (recipe.mix.enabled) {
        const auto [first, last] = layerRange(recipe.mix.firstLayer, recipe.mix.lastLayer, numWs, "style mixing");
        const auto other = mappedWs(model, recipe.mix.seed, recipe.classIndex, recipe.psi);
        ws.narrow(1, first, last - first + 1).copy_(other.narrow(1, first, last - first + 1));
    }
    for (const auto& edit : recipe.edits) {
        if (edit.amount == 0)
            continue;
        const auto found = std::find_if(directions.directions.begin(), directions.directions.end(),
                                        [&](const LatentDirection& d) { return d.name == edit.name; });
        if (found == directions.directions.end())
            throw InputError("direction '" + edit.name + "' is not in the loaded direction file");
        const auto [first, last] = layerRange(edit.firstLayer, edit.lastLayer, numWs, "direction '" + edit.name + "'");
        LatentDirection onDevice = *found;
        onDevice.vector = found->vector.to(ws.device());
        ws = applyDirection(ws, onDevice, edit.amount, first, last);
    }
    return ws;
}

torch::Tensor renderRecipe(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe)
{
    torch::NoGradGuard noGrad;
    const auto ws = recipeWs(model, directions, recipe);
    nets::Generator generator = model.generator;
    const auto image = generator->synthesis->forward(ws, recipe.noise, generator->fusedModconv);
    return toPixels(image)[0].cpu();
}

torch::Tensor renderRecipe(const GeneratorModel& model, const DirectionSet& directions, const LatentRecipe& recipe,
                           const ProgressiveRender& progressive)
{
    torch::NoGradGuard noGrad;
    const auto ws = recipeWs(model, directions, recipe);
    nets::SynthesisWatch watch;
    watch.stopRequested = progressive.stopRequested;
    const int resolution = model.network().resolution;
    if (progressive.preview && progressive.firstPreview > 0) {
        watch.blockDone = [&](const torch::Tensor& img) {
            const auto size = img.size(-1);
            if (size >= progressive.firstPreview && size < resolution)
                progressive.preview(toPixels(img)[0].cpu());
        };
    }
    nets::Generator generator = model.generator;
    const auto image = generator->synthesis->forward(ws, recipe.noise, generator->fusedModconv, watch);
    return image.defined() ? toPixels(image)[0].cpu() : torch::Tensor();
}

} // namespace dermgan::explain
