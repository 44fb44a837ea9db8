#include "explain/umap.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "common/errors.h"
#include "explain/embedding.h"

namespace dermgan::explain {

namespace {

struct Edge {
    int64_t head, tail;
    float weight;
};

// The fuzzy union a + b - ab of the directed memberships i->j and j->i, as edges in both directions
// (umap-learn's symmetric COO matrix), without the edges too weak to be sampled in `epochs`.
std::vector<Edge> fuzzyUnion(const torch::Tensor& neighbours, const std::vector<float>& membership, int epochs)
{
    const int64_t n = neighbours.size(0), m = neighbours.size(1);
    const auto* nbr = neighbours.data_ptr<int64_t>();
    auto reverse = [&](int64_t from, int64_t to) {
        for (int64_t j = 0; j < m; ++j)
            if (nbr[from * m + j] == to)
                return membership[static_cast<std::size_t>(from * m + j)];
        return 0.0f;
    };
    std::vector<Edge> edges;
    edges.reserve(static_cast<std::size_t>(2 * n * m));
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < m; ++j) {
            const int64_t other = nbr[i * m + j];
            const float a = membership[static_cast<std::size_t>(i * m + j)];
            const float b = reverse(other, i);
            if (b > 0 && other < i)
                continue;  // the pair was added from `other`'s side
            const float weight = a + b - a * b;
            edges.push_back({i, other, weight});
            edges.push_back({other, i, weight});
        }
    float strongest = 0;
    for (const auto& e : edges)
        strongest = std::max(strongest, e.weight);
    const float floor = strongest / static_cast<float>(epochs);
    edges.erase(std::remove_if(edges.begin(), edges.end(), [floor](const Edge& e) { return e.weight < floor; }), edges.end());
    std::sort(edges.begin(), edges.end(), [](const Edge& l, const Edge& r) { return l.head != r.head ? l.head < r.head : l.tail < r.tail; });
    return edges;
}

// PCA scaled to [0, 10] on each axis, plus tiny seeded noise so that identical points can part.
std::vector<float> initialLayout(const torch::Tensor& x, std::mt19937_64& rng)
{
    auto y = pcaEmbedding(x).to(torch::kDouble);
    const auto low = std::get<0>(y.min(0)), high = std::get<0>(y.max(0));
    y = 10.0 * (y - low) / (high - low).clamp_min(1e-12);
    std::normal_distribution<double> noise(0.0, 1e-4);  // distribution quirks only move points by ~1e-4
    std::vector<float> layout(static_cast<std::size_t>(y.numel()));
    const auto* source = y.contiguous().data_ptr<double>();
    for (std::size_t c = 0; c < layout.size(); ++c)
        layout[c] = static_cast<float>(source[c] + noise(rng));
    return layout;
}

float clip(float value) { return std::clamp(value, -4.0f, 4.0f); }

} // namespace

std::vector<float> umapMemberships(const torch::Tensor& distances, int k)
{
    const int64_t n = distances.size(0), m = distances.size(1);
    const auto* dist = distances.data_ptr<float>();
    const double target = std::log2(static_cast<double>(k));
    const double meanDistance = distances.to(torch::kDouble).mean().item<double>();
    std::vector<float> membership(static_cast<std::size_t>(n * m));
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const float* d = dist + i * m;
            double rho = 0;
            for (int64_t j = 0; j < m; ++j)
                if (d[j] > 0) {
                    rho = d[j];
                    break;
                }
            double lo = 0, hi = std::numeric_limits<double>::infinity(), sigma = 1;
            for (int iteration = 0; iteration < 64; ++iteration) {
                double sum = 0;
                for (int64_t j = 0; j < m; ++j) {
                    const double excess = d[j] - rho;
                    sum += excess > 0 ? std::exp(-excess / sigma) : 1.0;
                }
                if (std::abs(sum - target) < 1e-5)
                    break;
                if (sum > target) {
                    hi = sigma;
                    sigma = 0.5 * (lo + hi);
                } else {
                    lo = sigma;
                    sigma = std::isinf(hi) ? sigma * 2 : 0.5 * (lo + hi);
                }
            }
            // As umap-learn: sigma never below 1e-3 of the mean distance (the point itself counted as 0).
            double own = 0;
            for (int64_t j = 0; j < m; ++j)
                own += d[j];
            sigma = std::max(sigma, 1e-3 * (rho > 0 ? own / (m + 1) : meanDistance));
            for (int64_t j = 0; j < m; ++j) {
                const double excess = d[j] - rho;
                membership[static_cast<std::size_t>(i * m + j)] = excess <= 0 ? 1.0f : static_cast<float>(std::exp(-excess / sigma));
            }
        }
    });
    return membership;
}

std::pair<double, double> umapCurve(double minDistance, double spread)
{
    // Least squares (Levenberg-Marquardt) of 1 / (1 + a x^(2b)) against 1 below minDistance and
    // exp(-(x - minDistance) / spread) above, on 300 points in [0, 3 spread], from a = b = 1 (as scipy).
    std::vector<double> xs(300), target(300);
    for (int i = 0; i < 300; ++i) {
        xs[i] = 3.0 * spread * i / 299.0;
        target[i] = xs[i] < minDistance ? 1.0 : std::exp(-(xs[i] - minDistance) / spread);
    }
    auto residuals = [&](double a, double b, double* ja, double* jb) {
        double cost = 0;
        for (int i = 0; i < 300; ++i) {
            const double u = xs[i] > 0 ? std::pow(xs[i], 2 * b) : 0.0;
            const double g = 1.0 / (1.0 + a * u);
            const double r = g - target[i];
            cost += r * r;
            if (ja) {
                ja[i] = -u * g * g;
                jb[i] = xs[i] > 0 ? -a * u * 2 * std::log(xs[i]) * g * g : 0.0;
            }
        }
        return cost;
    };
    double a = 1, b = 1, lambda = 1e-3;
    std::vector<double> ja(300), jb(300);
    double cost = residuals(a, b, nullptr, nullptr);
    for (int iteration = 0; iteration < 200; ++iteration) {
        residuals(a, b, ja.data(), jb.data());
        double aa = 0, ab = 0, bb = 0, ga = 0, gb = 0;
        for (int i = 0; i < 300; ++i) {
            const double u = xs[i] > 0 ? std::pow(xs[i], 2 * b) : 0.0;
            const double r = 1.0 / (1.0 + a * u) - target[i];
            aa += ja[i] * ja[i], ab += ja[i] * jb[i], bb += jb[i] * jb[i];
            ga += ja[i] * r, gb += jb[i] * r;
        }
        bool improved = false;
        while (lambda < 1e12) {
            const double m00 = aa * (1 + lambda), m11 = bb * (1 + lambda), det = m00 * m11 - ab * ab;
            const double da = -(m11 * ga - ab * gb) / det, db = -(m00 * gb - ab * ga) / det;
            const double trial = residuals(a + da, b + db, nullptr, nullptr);
            if (trial < cost) {
                improved = std::abs(cost - trial) > 1e-15 * std::max(cost, 1e-30);
                a += da, b += db, cost = trial, lambda = std::max(lambda / 10, 1e-12);
                break;
            }
            lambda *= 10;
        }
        if (!improved)
            break;
    }
    return {a, b};
}

torch::Tensor umapEmbedding(const torch::Tensor& x, const UmapOptions& options, const ProgressCallback& progress)
{
    if (options.neighbours < 2)
        throw InputError("UMAP needs at least 2 neighbours (the point itself counts as one)");
    if (x.dim() != 2 || x.size(0) <= options.neighbours)
        throw InputError("UMAP with " + std::to_string(options.neighbours) +
                         " neighbours needs an [N, D] matrix with more than that many rows");
    const int64_t n = x.size(0);
    const int epochs = options.epochs > 0 ? options.epochs : (n <= 10000 ? 500 : 200);
    std::mt19937_64 rng(options.seed);

    reportProgress(progress, {"UMAP neighbours", 0, static_cast<std::size_t>(epochs)});
    const auto [neighbours, distances] = knnGraph(x, options.neighbours - 1, options.seed);
    const auto edges = fuzzyUnion(neighbours, umapMemberships(distances, options.neighbours), epochs);
    auto y = initialLayout(x, rng);
    const auto [a, b] = umapCurve(options.minDistance, options.spread);

    float strongest = 0;
    for (const auto& e : edges)
        strongest = std::max(strongest, e.weight);
    const std::size_t count = edges.size();
    std::vector<double> epochsPerSample(count), nextSample(count), epochsPerNegative(count), nextNegative(count);
    for (std::size_t e = 0; e < count; ++e) {
        epochsPerSample[e] = strongest / edges[e].weight;
        nextSample[e] = epochsPerSample[e];
        epochsPerNegative[e] = epochsPerSample[e] / options.negativeSamples;
        nextNegative[e] = epochsPerNegative[e];
    }
    const auto fa = static_cast<float>(a), fb = static_cast<float>(b);
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const auto alpha = static_cast<float>(options.learningRate * (1.0 - static_cast<double>(epoch) / epochs));
        for (std::size_t e = 0; e < count; ++e) {
            if (nextSample[e] > epoch)
                continue;
            float* current = &y[static_cast<std::size_t>(2 * edges[e].head)];
            float* other = &y[static_cast<std::size_t>(2 * edges[e].tail)];
            float dx = current[0] - other[0], dy = current[1] - other[1];
            float d2 = dx * dx + dy * dy;
            if (d2 > 0) {  // attraction along the edge, both ends move
                const float coefficient = -2.0f * fa * fb * std::pow(d2, fb - 1.0f) / (fa * std::pow(d2, fb) + 1.0f);
                const float gx = clip(coefficient * dx) * alpha, gy = clip(coefficient * dy) * alpha;
                current[0] += gx, current[1] += gy;
                other[0] -= gx, other[1] -= gy;
            }
            nextSample[e] += epochsPerSample[e];
            const auto negatives = static_cast<int>((epoch - nextNegative[e]) / epochsPerNegative[e]);
            for (int s = 0; s < negatives; ++s) {  // repulsion from random points, only this end moves
                const auto k = static_cast<int64_t>(rng() % static_cast<std::uint64_t>(n));
                if (k == edges[e].head)
                    continue;
                const float* far = &y[static_cast<std::size_t>(2 * k)];
                dx = current[0] - far[0], dy = current[1] - far[1];
                d2 = dx * dx + dy * dy;
                if (d2 > 0) {
                    const float coefficient = 2.0f * fb / ((0.001f + d2) * (fa * std::pow(d2, fb) + 1.0f));
                    current[0] += clip(coefficient * dx) * alpha;
                    current[1] += clip(coefficient * dy) * alpha;
                } else {
                    current[0] += 4.0f * alpha;
                    current[1] += 4.0f * alpha;
                }
            }
            nextNegative[e] += negatives * epochsPerNegative[e];
        }
        if (epoch % 10 == 0 || epoch + 1 == epochs)
            reportProgress(progress, {"UMAP", static_cast<std::size_t>(epoch + 1), static_cast<std::size_t>(epochs)});
    }
    return torch::tensor(std::vector<float>(y.begin(), y.end()), torch::kFloat32).view({n, 2});
}

} // namespace dermgan::explain
