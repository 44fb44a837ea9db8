#include "explain/latent_directions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/errors.h"
#include "explain/projector.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"

namespace dermgan::explain {

namespace {

// w of seeded z, with random classes for a conditional model (returned in `classes` when asked).
torch::Tensor sampleMixedClassW(const GeneratorModel& model, int samples, std::uint64_t seed, std::vector<int64_t>* classes = nullptr)
{
    torch::NoGradGuard noGrad;
    const auto& network = model.network();
    auto generator = torch::Generator(at::detail::createCPUGenerator(seed));
    const auto z = torch::randn({samples, network.zDim}, generator).to(model.device);
    torch::Tensor c;
    if (network.classCount > 0) {
        const auto labels = torch::randint(network.classCount, {samples}, generator, torch::kLong);
        std::vector<int64_t> list(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + samples);
        if (classes)
            *classes = list;
        c = nets::oneHot(list, network.classCount, z.options());
    }
    return nets::MappingNetwork(model.generator->mapping)->forward(z, c).select(1, 0).cpu().to(torch::kDouble);
}

} // namespace

std::vector<LatentDirection> pcaDirections(const GeneratorModel& model, int count, int samples, std::uint64_t seed)
{
    if (samples < 2 || count < 1)
        throw InputError("PCA directions need at least 2 samples and 1 component");
    const auto w = sampleMixedClassW(model, samples, seed);
    const auto centred = w - w.mean(0);
    const auto cov = (centred.t().mm(centred) / (samples - 1)).contiguous();
    const int64_t d = cov.size(0);
    Eigen::Map<const Eigen::MatrixXd> matrix(cov.data_ptr<double>(), d, d);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix);
    const double total = solver.eigenvalues().sum();
    std::vector<LatentDirection> directions;
    for (int i = 0; i < std::min<int64_t>(count, d); ++i) {
        const int64_t k = d - 1 - i;  // eigenvalues ascend
        LatentDirection direction;
        direction.name = "pc" + std::to_string(i);
        direction.kind = "pca";
        Eigen::VectorXd v = solver.eigenvectors().col(k);
        // A fixed sign: the largest component positive, so reruns give the same slider direction.
        Eigen::Index largest;
        v.cwiseAbs().maxCoeff(&largest);
        if (v(largest) < 0)
            v = -v;
        direction.vector = torch::from_blob(v.data(), {d}, torch::kDouble).clone().to(torch::kFloat32);
        direction.stddev = std::sqrt(std::max(0.0, solver.eigenvalues()(k)));
        direction.explainedVariance = total > 0 ? solver.eigenvalues()(k) / total : 0.0;
        directions.push_back(direction);
    }
    return directions;
}

std::vector<LatentDirection> classDirections(const GeneratorModel& model, int samples, std::uint64_t seed)
{
    const auto& network = model.network();
    std::vector<LatentDirection> directions;
    if (network.classCount == 0)
        return directions;
    std::vector<int64_t> classes;
    const auto w = sampleMixedClassW(model, samples, seed, &classes);
    const auto overall = w.mean(0);
    for (int k = 0; k < network.classCount; ++k) {
        const auto classMean = meanW(model, k, samples / network.classCount + 1, seed + 1 + k).cpu().to(torch::kDouble);
        const auto delta = classMean - overall;
        const double norm = delta.norm().item<double>();
        LatentDirection direction;
        direction.name = "class " + network.classNames[static_cast<std::size_t>(k)];
        direction.kind = "class";
        direction.vector = (delta / std::max(norm, 1e-12)).to(torch::kFloat32);
        direction.stddev = norm;  // amount 1 = from the overall mean to the class mean
        directions.push_back(direction);
    }
    return directions;
}

LatentDirection linearBoundary(const torch::Tensor& w, const std::vector<bool>& labels, const std::string& name, double l2,
                               int iterations)
{
    const int64_t n = w.size(0);
    if (n != static_cast<int64_t>(labels.size()) || n < 4)
        throw InputError("a boundary needs at least 4 labelled w vectors, one label each");
    std::vector<float> y;
    for (bool b : labels)
        y.push_back(b ? 1.0f : 0.0f);
    const auto target = torch::tensor(y);
    const double positives = target.sum().item<double>();
    if (positives == 0 || positives == static_cast<double>(n))
        throw InputError("a boundary needs w vectors of both labels");
    // Standardise, fit by full-batch gradient descent (convex; LBFGS-level precision is not needed for a
    // slider direction), then map the normal back to w units.
    const auto x = w.to(torch::kFloat32);
    const auto mean = x.mean(0), std = x.std(0) + 1e-6;
    const auto xs = (x - mean) / std;
    auto weight = torch::zeros({x.size(1)}, torch::requires_grad());
    auto bias = torch::zeros({1}, torch::requires_grad());
    torch::optim::Adam optimizer({weight, bias}, torch::optim::AdamOptions(0.05));
    for (int i = 0; i < iterations; ++i) {
        const auto logits = xs.mv(weight) + bias;
        const auto loss = torch::binary_cross_entropy_with_logits(logits, target) + l2 * weight.square().sum();
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
    torch::NoGradGuard noGrad;
    const auto accuracy = (((xs.mv(weight) + bias) > 0).to(torch::kFloat32) == target).to(torch::kDouble).mean().item<double>();
    auto normal = weight / std;  // d logit / d w
    const auto unit = normal / normal.norm();
    LatentDirection direction;
    direction.name = name;
    direction.kind = "boundary";
    direction.vector = unit;
    direction.stddev = (x.mv(unit)).std().item<double>();
    direction.explainedVariance = accuracy;
    return direction;
}

std::vector<LatentDirection> attributeBoundaries(const torch::Tensor& w, const std::vector<std::string>& values,
                                                 const std::string& attribute, int minCount)
{
    std::vector<int64_t> rows;
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!values[i].empty() && values[i] != "unknown" && values[i] != "NA") {
            rows.push_back(static_cast<int64_t>(i));
            kept.push_back(values[i]);
        }
    std::vector<LatentDirection> directions;
    if (static_cast<int>(kept.size()) < 2 * minCount)
        return directions;
    const auto x = w.index_select(0, torch::tensor(rows));
    std::vector<double> numbers;
    for (const auto& v : kept) {
        char* end = nullptr;
        const double number = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0')
            break;
        numbers.push_back(number);
    }
    if (numbers.size() == kept.size()) {
        auto sorted = numbers;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        std::vector<bool> labels;
        for (double v : numbers)
            labels.push_back(v >= median);
        const auto positives = std::count(labels.begin(), labels.end(), true);
        if (positives >= minCount && static_cast<int64_t>(labels.size()) - positives >= minCount) {
            char name[96];
            std::snprintf(name, sizeof name, "%s>=%g", attribute.c_str(), median);
            directions.push_back(linearBoundary(x, labels, name));
        }
        return directions;
    }
    std::map<std::string, int> counts;
    for (const auto& v : kept)
        ++counts[v];
    for (const auto& [value, count] : counts) {
        if (count < minCount || static_cast<int>(kept.size()) - count < minCount)
            continue;
        std::vector<bool> labels;
        for (const auto& v : kept)
            labels.push_back(v == value);
        directions.push_back(linearBoundary(x, labels, attribute + "=" + value));
    }
    return directions;
}

torch::Tensor applyDirection(const torch::Tensor& ws, const LatentDirection& direction, double amount, int firstLayer,
                             int lastLayer)
{
    const int64_t numWs = ws.size(-2);
    const int64_t last = lastLayer < 0 ? numWs - 1 : std::min<int64_t>(lastLayer, numWs - 1);
    const int64_t first = std::max(0, firstLayer);
    if (first > last)
        return ws;
    auto mask = torch::zeros({numWs, 1}, ws.options());
    mask.narrow(0, first, last - first + 1).fill_(1.0);
    return ws + mask * (direction.vector.to(ws.options()) * (amount * direction.stddev));
}

void saveDirections(const DirectionSet& set, const std::filesystem::path& path)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : set.directions) {
        const auto v = d.vector.to(torch::kFloat32).contiguous();
        list.push_back({{"name", d.name},
                        {"kind", d.kind},
                        {"stddev", d.stddev},
                        {"score", d.explainedVariance},
                        {"layers", {d.firstLayer, d.lastLayer}},
                        {"vector", std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel())}});
    }
    const nlohmann::json json = {{"format", "dermgan-directions"},
                                 {"version", 1},
                                 {"model_hash", set.modelHash},
                                 {"w_dim", set.wDim},
                                 {"num_ws", set.numWs},
                                 {"directions", list}};
    writeTextFileAtomically(path, json.dump(1) + "\n");
}

namespace {

DirectionSet loadDirectionsUnchecked(const std::filesystem::path& path, const std::string& expectedModelHash)
{
    std::ifstream in(path);
    if (!in)
        throw InputError("direction file " + path.string() + " does not exist");
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object() || json.value("format", "") != "dermgan-directions")
        throw InputError("file " + path.string() + " is not a dermgan direction file (made by dermgan directions)");
    DirectionSet set;
    try {
        set.modelHash = json.at("model_hash").get<std::string>();
        set.wDim = json.at("w_dim").get<int>();
        set.numWs = json.at("num_ws").get<int>();
        if (!expectedModelHash.empty() && set.modelHash != expectedModelHash)
            throw InputError("direction file " + path.string() + " was made for model " + set.modelHash +
                             ", not for the loaded model " + expectedModelHash + "; compute directions for this model");
        for (const auto& d : json.at("directions")) {
            LatentDirection direction;
            direction.name = d.at("name").get<std::string>();
            direction.kind = d.at("kind").get<std::string>();
            direction.stddev = d.at("stddev").get<double>();
            direction.explainedVariance = d.value("score", 0.0);
            direction.firstLayer = d.at("layers").at(0).get<int>();
            direction.lastLayer = d.at("layers").at(1).get<int>();
            // lastLayer -1 means "through the last layer".
            if (direction.firstLayer < 0 || direction.firstLayer >= set.numWs || direction.lastLayer >= set.numWs ||
                (direction.lastLayer != -1 && direction.lastLayer < direction.firstLayer))
                throw InputError("direction '" + direction.name + "' in " + path.string() + " spans layers " +
                                 std::to_string(direction.firstLayer) + "-" + std::to_string(direction.lastLayer) +
                                 "; expected layers from 0 to num_ws - 1 = " + std::to_string(set.numWs - 1) + " (-1: the last)");
            if (!std::isfinite(direction.stddev) || direction.stddev <= 0)
                throw InputError("direction '" + direction.name + "' in " + path.string() + " has stddev " +
                                 std::to_string(direction.stddev) + "; expected a positive number");
            const auto v = d.at("vector").get<std::vector<float>>();
            if (static_cast<int>(v.size()) != set.wDim)
                throw InputError("direction '" + direction.name + "' in " + path.string() + " has " +
                                 std::to_string(v.size()) + " values; expected w_dim " + std::to_string(set.wDim));
            direction.vector = torch::tensor(v);
            set.directions.push_back(direction);
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError("direction file " + path.string() + " is incomplete: " + errorSummary(e));
    }
    return set;
}

} // namespace

DirectionSet loadDirections(const std::filesystem::path& path, const std::string& expectedModelHash)
{
    return readingFile(path, "a dermgan direction file (made by dermgan directions)",
                       [&] { return loadDirectionsUnchecked(path, expectedModelHash); });
}

} // namespace dermgan::explain
