#include "metrics/synthetic_set.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"
#include "nets/latents.h"

namespace dermgan::metrics {

std::vector<int64_t> apportion(int64_t total, const std::vector<double>& weights)
{
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (weights.empty() || !(sum > 0))
        throw InputError("cannot share images over classes without positive class weights");
    std::vector<int64_t> counts(weights.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    int64_t given = 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const double exact = static_cast<double>(total) * weights[k] / sum;
        counts[k] = static_cast<int64_t>(std::floor(exact));
        given += counts[k];
        remainders.emplace_back(exact - static_cast<double>(counts[k]), k);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; given < total; ++i, ++given)
        ++counts[remainders[i % remainders.size()].second];
    return counts;
}

std::vector<int64_t> syntheticClassCounts(int64_t total, const std::vector<int64_t>& realCounts, const std::string& mode)
{
    if (mode == "balanced")
        return apportion(total, std::vector<double>(realCounts.size(), 1.0));
    if (mode == "real")
        return apportion(total, std::vector<double>(realCounts.begin(), realCounts.end()));
    throw InputError("class balance '" + mode + "' is not known; expected real or balanced");
}

std::vector<int64_t> syntheticCountsLike(const nets::NetworkConfig& network, const std::vector<int>& realLabels,
                                         int64_t total, const std::string& mode)
{
    if (network.classCount == 0)
        return {total};
    std::vector<int64_t> realCounts(static_cast<std::size_t>(network.classCount), 0);
    for (int label : realLabels)
        if (label >= 0 && label < network.classCount)
            ++realCounts[static_cast<std::size_t>(label)];
    return syntheticClassCounts(total, realCounts, mode);
}

LabelledPixels generateSynthetic(GeneratorModel& model, const SyntheticRequest& request, const ProgressCallback& progress)
{
    const auto& network = model.network();
    const bool conditional = network.classCount > 0;
    if (conditional && static_cast<int>(request.perClass.size()) != network.classCount)
        throw InputError("the generator has " + std::to_string(network.classCount) + " classes but " +
                         std::to_string(request.perClass.size()) + " class counts were given");
    if (!conditional && request.perClass.size() != 1)
        throw InputError("an unconditional generator takes one image count, not per-class counts");
    const int64_t total = std::accumulate(request.perClass.begin(), request.perClass.end(), int64_t{0});
    if (total <= 0)
        throw InputError("no synthetic images requested");

    torch::NoGradGuard noGrad;
    LabelledPixels out;
    out.pixels = torch::empty({total, network.imageChannels, network.resolution, network.resolution}, torch::kUInt8);
    int64_t done = 0;
    for (std::size_t k = 0; k < request.perClass.size(); ++k) {
        for (int64_t start = 0; start < request.perClass[k]; start += request.batch) {
            const int64_t n = std::min<int64_t>(request.batch, request.perClass[k] - start);
            std::vector<std::uint32_t> seeds;
            for (int64_t i = 0; i < n; ++i)
                seeds.push_back(static_cast<std::uint32_t>(request.firstSeed + static_cast<std::uint64_t>(done + i)));
            const auto z = nets::latentsFromSeeds(seeds, network.zDim).to(model.device);
            const auto c = conditional ? nets::oneHot(std::vector<int64_t>(static_cast<std::size_t>(n), static_cast<int64_t>(k)),
                                                      network.classCount, z.options())
                                       : torch::Tensor();
            const auto images = model.generator->forward(z, c, request.psi, request.noise);
            out.pixels.narrow(0, done, n).copy_(toPixels(images).cpu());
            for (int64_t i = 0; i < n; ++i)
                out.labels.push_back(conditional ? static_cast<int>(k) : -1);
            done += n;
            reportProgress(progress, {"generating synthetic images", static_cast<std::size_t>(done), static_cast<std::size_t>(total)});
        }
    }
    return out;
}

std::string describeRequest(const GeneratorModel& model, const SyntheticRequest& request)
{
    std::ostringstream text;
    const char* noise = request.noise == nets::NoiseMode::Const ? "const" : request.noise == nets::NoiseMode::Random ? "random" : "none";
    text << "generator " << model.hash << " psi " << request.psi << " noise " << noise
         << " first seed " << request.firstSeed << " per class";
    for (auto n : request.perClass)
        text << ' ' << n;
    return text.str();
}

} // namespace dermgan::metrics
