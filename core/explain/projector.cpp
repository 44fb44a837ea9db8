#include "explain/projector.h"

#include <cmath>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_decode.h"
#include "data/image_store.h"
#include "io/npy.h"
#include "nets/latents.h"
#include "nets/module_copy.h"

namespace dermgan::explain {

namespace F = torch::nn::functional;

namespace {

// A private copy of G_ema: the projector rewires its noise buffers, and the caller's model may be
// rendering frames for the explorer at the same time.
nets::Generator copyGenerator(const GeneratorModel& model)
{
    nets::Generator copy(model.network());
    nets::copyModuleState(*model.generator, *copy);
    copy->to(model.device);
    copy->eval();
    copy->fusedModconv = model.generator->fusedModconv;
    for (auto& p : copy->parameters())
        p.requires_grad_(false);
    return copy;
}

std::vector<nets::SynthesisLayer> synthesisLayers(nets::Generator& g)
{
    std::vector<nets::SynthesisLayer> layers;
    for (auto& block : g->synthesis->blocks) {
        if (block->conv0)
            layers.push_back(block->conv0);
        layers.push_back(block->conv1);
    }
    return layers;
}

// The StyleGAN2 projector's penalty on spatially correlated noise, over a pyramid down to 8x8.
torch::Tensor noiseRegularization(const std::vector<torch::Tensor>& noise)
{
    torch::Tensor reg = torch::zeros({}, noise.front().options());
    for (auto v : noise) {
        v = v.view({1, 1, v.size(-2), v.size(-1)});
        while (true) {
            reg = reg + (v * torch::roll(v, 1, 3)).mean().square() + (v * torch::roll(v, 1, 2)).mean().square();
            if (v.size(2) <= 8)
                break;
            v = F::avg_pool2d(v, F::AvgPool2dFuncOptions(2));
        }
    }
    return reg;
}

} // namespace

torch::Tensor sampleW(const GeneratorModel& model, int classIndex, int samples, std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    const auto& network = model.network();
    auto generator = torch::Generator(at::detail::createCPUGenerator(seed));
    const auto z = torch::randn({samples, network.zDim}, generator).to(model.device);
    const auto c = network.classCount > 0
                       ? nets::oneHot(std::vector<int64_t>(static_cast<std::size_t>(samples), classIndex), network.classCount,
                                      z.options())
                       : torch::Tensor();
    return nets::MappingNetwork(model.generator->mapping)->forward(z, c).select(1, 0);  // [N, wDim]
}

torch::Tensor meanW(const GeneratorModel& model, int classIndex, int samples, std::uint64_t seed)
{
    return sampleW(model, classIndex, samples, seed).mean(0);
}

torch::Tensor prepareTarget(const cv::Mat& rgb, int resolution, std::string& note)
{
    if (rgb.cols != resolution || rgb.rows != resolution)
        note = "image of " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
               (rgb.cols != rgb.rows ? " centre-cropped and" : "") + " resized to " + std::to_string(resolution) + "x" +
               std::to_string(resolution) + " (the generator's resolution)";
    const cv::Mat square = squareCropResize(rgb, resolution);
    return torch::from_blob(square.data, {resolution, resolution, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
}

ProjectionResult project(const GeneratorModel& model, const torch::Tensor& target, PerceptualDistance& distance,
                         const ProjectionOptions& options, const ProjectionCallback& callback, int imageEvery)
{
    const auto& network = model.network();
    if (target.dim() != 3 || target.size(0) != 3 || target.size(1) != network.resolution || target.size(2) != network.resolution)
        throw InputError("projection target must be a 3x" + std::to_string(network.resolution) + "x" +
                         std::to_string(network.resolution) + " image (the generator's resolution)");
    if (network.classCount > 0 && (options.classIndex < 0 || options.classIndex >= network.classCount))
        throw InputError("the generator is class-conditional: give the image's class (0 to " +
                         std::to_string(network.classCount - 1) + " or its name)");
    if (network.classCount == 0 && options.classIndex >= 0)
        throw InputError("the generator is unconditional: it takes no class");
    if (options.steps < 1)
        throw InputError("projection needs at least 1 step");

    torch::manual_seed(options.seed);
    auto g = copyGenerator(model);
    const auto device = model.device;
    ProjectionResult result;
    result.classIndex = options.classIndex;
    result.target = toModelRange(target.unsqueeze(0)).to(device);

    // One draw of w gives both the start (its mean) and the scale of the early w-noise (its spread).
    const auto wSamples = sampleW(model, options.classIndex, options.wAvgSamples, options.seed);
    const auto wAvg = wSamples.mean(0);
    const double wStd = std::sqrt((wSamples - wAvg).square().sum().item<double>() / options.wAvgSamples);
    const int numWs = g->synthesis->numWs;
    auto wOpt = (options.space == LatentSpace::W ? wAvg.view({1, 1, -1}) : wAvg.view({1, 1, -1}).repeat({1, numWs, 1}))
                    .clone()
                    .requires_grad_(true);

    std::vector<torch::Tensor> noise;
    std::vector<torch::Tensor> trainable{wOpt};
    auto layers = synthesisLayers(g);
    if (options.optimizeNoise)
        for (auto& layer : layers) {
            layer->noise_const = torch::randn_like(layer->noise_const).requires_grad_(true);
            noise.push_back(layer->noise_const);
            trainable.push_back(layer->noise_const);
        }
    torch::optim::Adam optimizer(trainable, torch::optim::AdamOptions(options.learningRate).betas({0.9, 0.999}));

    const auto render = [&](const torch::Tensor& w) {
        const auto ws = options.space == LatentSpace::W ? w.repeat({1, numWs, 1}) : w;
        return g->synthesis->forward(ws, nets::NoiseMode::Const, g->fusedModconv);
    };
    for (int step = 0; step < options.steps; ++step) {
        const double t = static_cast<double>(step) / options.steps;
        const double noiseScale = wStd * options.initialNoiseFactor * std::pow(std::max(0.0, 1.0 - t / options.noiseRampLength), 2);
        double ramp = std::min(1.0, (1.0 - t) / options.lrRampDownLength);
        ramp = 0.5 - 0.5 * std::cos(ramp * M_PI);
        ramp *= std::min(1.0, t / options.lrRampUpLength);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamOptions&>(group.options()).lr(options.learningRate * ramp);

        const auto synth = render(wOpt + torch::randn_like(wOpt) * noiseScale);
        const auto perceptual = distance.distance(synth, result.target).sum();
        const auto pixel = (synth - result.target).square().mean();
        auto loss = perceptual + options.pixelWeight * pixel;
        torch::Tensor noisePenalty;
        if (options.optimizeNoise) {
            noisePenalty = options.noiseRegularization * noiseRegularization(noise);
            loss = loss + noisePenalty;
        }
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        {
            torch::NoGradGuard noGrad;
            for (auto& n : noise) {
                n.sub_(n.mean());
                n.mul_(n.square().mean().rsqrt());
            }
        }
        ProjectionStep record{step + 1, loss.item<double>(), perceptual.item<double>(), pixel.item<double>(),
                              noisePenalty.defined() ? noisePenalty.item<double>() : 0.0};
        result.curve.push_back(record);
        if (callback) {
            torch::Tensor image;
            if (imageEvery > 0 && ((step + 1) % imageEvery == 0 || step + 1 == options.steps)) {
                torch::NoGradGuard noGrad;
                image = render(wOpt)[0].cpu();
            }
            if (!callback(record, image)) {
                result.cancelled = true;
                break;
            }
        }
    }
    torch::NoGradGuard noGrad;
    result.ws = (options.space == LatentSpace::W ? wOpt.repeat({1, numWs, 1}) : wOpt)[0].detach().cpu();
    result.projection = render(wOpt)[0].detach().cpu();
    result.target = result.target[0].cpu();
    for (const auto& n : noise)
        result.noise.push_back(n.detach().cpu());
    return result;
}

ImageDistances measureProjection(const ProjectionResult& result, PerceptualDistance& distance,
                                 metrics::FeatureExtractor* features)
{
    torch::NoGradGuard noGrad;
    ImageDistances d;
    const auto a = result.target, b = result.projection;
    d.rmse = (((a - b) * 127.5).square().mean()).sqrt().item<double>();
    d.psnr = psnr(a, b);
    d.ssim = ssim(a, b);
    d.perceptual = distance.distance(a.unsqueeze(0), b.unsqueeze(0)).item<double>();
    if (features) {
        const auto f = features->extract(toPixels(torch::stack({a, b})));
        d.featureCosine = 1.0 - F::cosine_similarity(f[0].unsqueeze(0), f[1].unsqueeze(0)).item<double>();
    }
    return d;
}

nlohmann::json toJson(const ProjectionResult& result)
{
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& s : result.curve)
        curve.push_back({s.step, s.loss, s.perceptual, s.pixel, s.noisePenalty});
    return {{"steps", result.curve.size()},
            {"class", result.classIndex},
            {"cancelled", result.cancelled},
            {"final_loss", result.curve.empty() ? 0.0 : result.curve.back().loss},
            {"curve_columns", {"step", "loss", "perceptual", "pixel_mse", "noise_penalty"}},
            {"curve", curve}};
}

torch::Tensor readProjectionWs(const std::filesystem::path& file, const nets::NetworkConfig& network)
{
    const auto ws = readNpy(file);
    const int64_t rows = ws.numel() / std::max(network.wDim, 1);
    if (ws.dim() < 1 || ws.numel() == 0 || ws.size(-1) != network.wDim || (rows != 1 && rows != network.numWs()))
        throw InputError(".npy file " + file.string() + " has shape " + c10::str(ws.sizes()) + "; expected [" +
                         std::to_string(network.numWs()) + ", " + std::to_string(network.wDim) +
                         "] latents of this model (a dermgan project output)");
    const auto values = ws.to(torch::kFloat32).reshape({rows, network.wDim});
    if (!torch::isfinite(values).all().item<bool>())
        throw InputError(".npy file " + file.string() + " holds non-finite values; expected latents of a projection");
    return values;
}

} // namespace dermgan::explain
