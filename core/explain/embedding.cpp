#include "explain/embedding.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include <Eigen/Dense>
#include <hnswlib/hnswlib.h>
#include <torch/torch.h>

#include "common/errors.h"

namespace dermgan::explain {

namespace {

void requireMatrix(const torch::Tensor& x, int64_t minimumRows, const char* what)
{
    if (x.dim() != 2 || x.size(0) < minimumRows)
        throw InputError(std::string(what) + " needs an [N, D] matrix with at least " + std::to_string(minimumRows) + " rows");
}

// A quadtree over 2-D points for the Barnes-Hut repulsive forces. Built with full nodes, then flattened
// into compact cells (centre of mass, squared width, count, first child) that the traversal reads.
class QuadTree {
public:
    QuadTree(const double* y, int64_t n)
    {
        double minX = y[0], maxX = y[0], minY = y[1], maxY = y[1];
        for (int64_t i = 0; i < n; ++i) {
            minX = std::min(minX, y[2 * i]);
            maxX = std::max(maxX, y[2 * i]);
            minY = std::min(minY, y[2 * i + 1]);
            maxY = std::max(maxY, y[2 * i + 1]);
        }
        const double half = 0.5 * std::max(maxX - minX, maxY - minY) + 1e-5;
        nodes_.reserve(static_cast<std::size_t>(4 * n));
        nodes_.push_back(Node{0.5 * (minX + maxX), 0.5 * (minY + maxY), half});
        for (int64_t i = 0; i < n; ++i)
            insert(0, y[2 * i], y[2 * i + 1], i, 0);
        cells_.reserve(nodes_.size());
        for (const Node& node : nodes_)
            cells_.push_back(Cell{node.count ? node.massX / node.count : 0.0, node.count ? node.massY / node.count : 0.0,
                                  4 * node.half * node.half, static_cast<int>(node.count), node.child});
    }

    // Adds the repulsion on point (px, py) to (fx, fy) and returns its share of the normalisation Z. A cell
    // is summarised by its centre of mass when width / distance < theta (compared squared: no sqrt).
    double repulsion(double px, double py, double theta, double& fx, double& fy) const
    {
        const double theta2 = theta * theta;
        int stack[4 * 64];
        int top = 0;
        stack[top++] = 0;
        double z = 0;
        while (top > 0) {
            const Cell& cell = cells_[static_cast<std::size_t>(stack[--top])];
            if (cell.count == 0)
                continue;
            const double dx = px - cell.mx, dy = py - cell.my, d2 = dx * dx + dy * dy;
            const bool leaf = cell.child < 0;
            if (leaf || cell.width2 < theta2 * d2) {
                if (leaf && cell.count == 1 && d2 == 0)
                    continue;  // the point itself
                const double q = 1.0 / (1.0 + d2);
                const double mult = cell.count * q;
                fx += mult * q * dx;
                fy += mult * q * dy;
                z += mult;
            } else {
                for (int c = 3; c >= 0; --c)
                    stack[top++] = cell.child + c;
            }
        }
        return z;
    }

private:
    struct Node {
        double cx, cy, half;        // cell centre and half width
        double massX = 0, massY = 0;// sum of point coordinates
        int64_t count = 0;
        int64_t point = -1;         // the point of a leaf holding exactly one
        double pointX = 0, pointY = 0;
        int child = -1;             // index of the first of four children
    };
    struct Cell {
        double mx, my, width2;
        int count, child;
    };
    std::vector<Node> nodes_;
    std::vector<Cell> cells_;

    void insert(int index, double x, double y, int64_t point, int depth)
    {
        Node& node = nodes_[static_cast<std::size_t>(index)];
        node.massX += x;
        node.massY += y;
        ++node.count;
        if (node.count == 1) {
            node.point = point;
            node.pointX = x;
            node.pointY = y;
            return;
        }
        if (depth > 50)  // duplicate points: keep them together in this leaf
            return;
        if (node.child < 0) {
            const int first = static_cast<int>(nodes_.size());
            const double h = node.half / 2, cx = node.cx, cy = node.cy;
            const int64_t previous = node.point;
            const double prevX = node.pointX, prevY = node.pointY;
            nodes_[static_cast<std::size_t>(index)].child = first;
            nodes_[static_cast<std::size_t>(index)].point = -1;
            for (int q = 0; q < 4; ++q)
                nodes_.push_back(Node{cx + ((q & 1) ? h : -h), cy + ((q & 2) ? h : -h), h});
            insert(first + quadrant(first, prevX, prevY), prevX, prevY, previous, depth + 1);
        }
        const int first = nodes_[static_cast<std::size_t>(index)].child;
        insert(first + quadrant(first, x, y), x, y, point, depth + 1);
    }

    int quadrant(int first, double x, double y) const
    {
        // Children share the parent's centre: child 0 is at (cx - h, cy - h).
        const Node& c0 = nodes_[static_cast<std::size_t>(first)];
        const double cx = c0.cx + c0.half, cy = c0.cy + c0.half;
        return (x > cx ? 1 : 0) + (y > cy ? 2 : 0);
    }
};

// The points sorted along a Z-order (Morton) curve: consecutive points are neighbours in the map, so their
// tree traversals touch the same cells while these are still in cache.
std::vector<int64_t> zOrder(const double* y, int64_t n)
{
    double minX = y[0], maxX = y[0], minY = y[1], maxY = y[1];
    for (int64_t i = 0; i < n; ++i) {
        minX = std::min(minX, y[2 * i]), maxX = std::max(maxX, y[2 * i]);
        minY = std::min(minY, y[2 * i + 1]), maxY = std::max(maxY, y[2 * i + 1]);
    }
    const double scale = 65535.0 / std::max({maxX - minX, maxY - minY, 1e-12});
    auto spread = [](std::uint64_t v) {  // 16 bits -> every other of 32
        v = (v | (v << 8)) & 0x00FF00FFu;
        v = (v | (v << 4)) & 0x0F0F0F0Fu;
        v = (v | (v << 2)) & 0x33333333u;
        return (v | (v << 1)) & 0x55555555u;
    };
    std::vector<std::pair<std::uint64_t, int64_t>> keyed(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const auto qx = static_cast<std::uint64_t>((y[2 * i] - minX) * scale), qy = static_cast<std::uint64_t>((y[2 * i + 1] - minY) * scale);
        keyed[static_cast<std::size_t>(i)] = {spread(qx) | (spread(qy) << 1), i};
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        order[static_cast<std::size_t>(i)] = keyed[static_cast<std::size_t>(i)].second;
    return order;
}

} // namespace

torch::Tensor pcaEmbedding(const torch::Tensor& x)
{
    requireMatrix(x, 3, "PCA");
    const auto centred = (x.to(torch::kDouble) - x.to(torch::kDouble).mean(0)).contiguous();
    const auto cov = centred.t().mm(centred).contiguous();
    const int64_t d = cov.size(0);
    Eigen::Map<const Eigen::MatrixXd> matrix(cov.data_ptr<double>(), d, d);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix);
    Eigen::MatrixXd axes(d, 2);
    for (int i = 0; i < 2; ++i) {
        Eigen::VectorXd v = solver.eigenvectors().col(d - 1 - std::min<int64_t>(i, d - 1));
        Eigen::Index largest;
        v.cwiseAbs().maxCoeff(&largest);
        axes.col(i) = v(largest) < 0 ? Eigen::VectorXd(-v) : v;  // a fixed sign per axis
    }
    const auto a = torch::from_blob(axes.data(), {2, d}, torch::kDouble).t().clone();  // column-major -> [d, 2]
    return centred.mm(a).to(torch::kFloat32);
}

namespace {

// Exact k-NN by blocks of rows: squared distances from one matrix product, top k, then the chosen
// distances recomputed directly (the expanded form loses precision for close points).
std::pair<torch::Tensor, torch::Tensor> exactNeighbours(const torch::Tensor& data, int k)
{
    const int64_t n = data.size(0);
    const auto norms = data.pow(2).sum(1);
    auto indices = torch::empty({n, k}, torch::kLong);
    constexpr int64_t kBlock = 1024;
    for (int64_t start = 0; start < n; start += kBlock) {
        const int64_t rows = std::min(kBlock, n - start);
        const auto block = data.narrow(0, start, rows);
        auto d2 = norms.narrow(0, start, rows).unsqueeze(1) + norms.unsqueeze(0) - 2 * block.mm(data.t());
        d2.diagonal(start).fill_(std::numeric_limits<float>::infinity());  // never its own neighbour
        indices.narrow(0, start, rows).copy_(std::get<1>(d2.topk(k, 1, /*largest=*/false, /*sorted=*/true)));
    }
    auto distances = torch::empty({n, k}, torch::kFloat32);
    for (int64_t start = 0; start < n; start += 128) {
        const int64_t rows = std::min<int64_t>(128, n - start);
        const auto neighbours = data.index_select(0, indices.narrow(0, start, rows).reshape(-1)).view({rows, k, -1});
        distances.narrow(0, start, rows).copy_((data.narrow(0, start, rows).unsqueeze(1) - neighbours).pow(2).sum(2).sqrt());
    }
    return {indices, distances};
}

} // namespace

std::pair<torch::Tensor, torch::Tensor> knnGraph(const torch::Tensor& x, int k, std::uint64_t seed)
{
    requireMatrix(x, k + 1, "nearest neighbours");
    const auto data = x.to(torch::kFloat32).contiguous();
    const int64_t n = data.size(0), d = data.size(1);
    // Up to 20,000 points exact search is both faster than building an HNSW graph (one matrix product per
    // block of rows) and exact; beyond, the graph's n log n wins.
    if (n <= kExactNeighbourLimit)
        return exactNeighbours(data, k);
    hnswlib::L2Space space(static_cast<std::size_t>(d));
    hnswlib::HierarchicalNSW<float> index(&space, static_cast<std::size_t>(n), 16, 200, static_cast<std::size_t>(seed));
    const float* rows = data.data_ptr<float>();
    // Inserted in order on one thread: the graph, and so the neighbours, are the same on every run.
    for (int64_t i = 0; i < n; ++i)
        index.addPoint(rows + i * d, static_cast<std::size_t>(i));
    index.setEf(static_cast<std::size_t>(std::max(2 * (k + 1), 64)));
    auto indices = torch::empty({n, k}, torch::kLong);
    auto distances = torch::empty({n, k}, torch::kFloat32);
    auto* idx = indices.data_ptr<int64_t>();
    auto* dist = distances.data_ptr<float>();
    at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            auto result = index.searchKnn(rows + i * d, static_cast<std::size_t>(k + 1));
            std::vector<std::pair<float, std::size_t>> found;
            while (!result.empty()) {
                if (static_cast<int64_t>(result.top().second) != i)
                    found.emplace_back(result.top().first, result.top().second);
                result.pop();
            }
            std::sort(found.begin(), found.end());
            for (int j = 0; j < k; ++j) {
                const auto& item = found[static_cast<std::size_t>(std::min<int>(j, static_cast<int>(found.size()) - 1))];
                idx[i * k + j] = static_cast<int64_t>(item.second);
                dist[i * k + j] = std::sqrt(item.first);  // L2Space gives squared distances
            }
        }
    });
    return {indices, distances};
}

torch::Tensor tsneEmbedding(const torch::Tensor& x, const TsneOptions& options, const ProgressCallback& progress)
{
    const int64_t n = x.size(0);
    requireMatrix(x, 5, "t-SNE");
    const int k = static_cast<int>(std::min<int64_t>(n - 1, static_cast<int64_t>(3 * options.perplexity)));
    const auto [neighbours, distances] = knnGraph(x, k, options.seed);
    const auto* nbr = neighbours.data_ptr<int64_t>();
    const auto* dist = distances.data_ptr<float>();

    // Conditional probabilities p_j|i with a per-point Gaussian bandwidth matching the perplexity.
    std::vector<double> conditional(static_cast<std::size_t>(n * k));
    const double targetEntropy = std::log(std::min<double>(options.perplexity, k));
    at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            double beta = 1.0, lo = 0, hi = std::numeric_limits<double>::infinity();
            double* p = conditional.data() + i * k;
            const double d0 = static_cast<double>(dist[i * k]) * dist[i * k];
            for (int iteration = 0; iteration < 100; ++iteration) {
                double sum = 0, weighted = 0;
                for (int j = 0; j < k; ++j) {
                    const double d2 = static_cast<double>(dist[i * k + j]) * dist[i * k + j] - d0;  // shifted: no underflow
                    p[j] = std::exp(-beta * d2);
                    sum += p[j];
                    weighted += d2 * p[j];
                }
                const double entropy = std::log(sum) + beta * weighted / sum;
                for (int j = 0; j < k; ++j)
                    p[j] /= sum;
                if (std::abs(entropy - targetEntropy) < 1e-5)
                    break;
                if (entropy > targetEntropy) {
                    lo = beta;
                    beta = std::isinf(hi) ? beta * 2 : 0.5 * (beta + hi);
                } else {
                    hi = beta;
                    beta = 0.5 * (beta + lo);
                }
            }
        }
    });
    // Symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2N as a sparse list of (i, j, p).
    std::vector<std::vector<std::pair<int64_t, double>>> rows(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        for (int j = 0; j < k; ++j) {
            const int64_t other = nbr[i * k + j];
            const double p = conditional[static_cast<std::size_t>(i * k + j)] / (2.0 * n);
            rows[static_cast<std::size_t>(i)].emplace_back(other, p);
            rows[static_cast<std::size_t>(other)].emplace_back(i, p);
        }
    // Merged duplicates, in compressed rows (offsets, columns, values): the attraction loop streams them.
    std::vector<int64_t> rowStart{0};
    std::vector<int32_t> columns;
    std::vector<double> values;
    for (auto& row : rows) {
        std::sort(row.begin(), row.end());
        for (const auto& [j, p] : row)
            if (static_cast<int64_t>(columns.size()) > rowStart.back() && columns.back() == j)
                values.back() += p;
            else
                columns.push_back(static_cast<int32_t>(j)), values.push_back(p);
        rowStart.push_back(static_cast<int64_t>(columns.size()));
    }
    rows = {};

    // PCA initialisation scaled to a standard deviation of 1e-4 (as scikit-learn's init="pca").
    auto init = pcaEmbedding(x).to(torch::kDouble);
    init = init / init.select(1, 0).std() * 1e-4;
    std::vector<double> y(init.data_ptr<double>(), init.data_ptr<double>() + 2 * n);
    std::vector<double> velocity(static_cast<std::size_t>(2 * n), 0.0), gains(static_cast<std::size_t>(2 * n), 1.0);
    const double learningRate = options.learningRate > 0 ? options.learningRate : std::max(n / options.exaggeration / 4.0, 50.0);
    std::vector<double> gradient(static_cast<std::size_t>(2 * n));
    std::vector<double> repulsionX(static_cast<std::size_t>(n)), repulsionY(static_cast<std::size_t>(n)), zParts(static_cast<std::size_t>(n));
    for (int iteration = 0; iteration < options.iterations; ++iteration) {
        const bool early = iteration < options.exaggerationIterations;
        const double exaggeration = early ? options.exaggeration : 1.0;
        const double momentum = early ? 0.5 : 0.8;
        const QuadTree tree(y.data(), n);
        const auto order = zOrder(y.data(), n);
        at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
            for (int64_t k = begin; k < end; ++k) {
                const int64_t i = order[static_cast<std::size_t>(k)];
                double fx = 0, fy = 0;
                zParts[static_cast<std::size_t>(i)] = tree.repulsion(y[2 * i], y[2 * i + 1], options.theta, fx, fy);
                repulsionX[static_cast<std::size_t>(i)] = fx;
                repulsionY[static_cast<std::size_t>(i)] = fy;
            }
        });
        double z = 0;
        for (double part : zParts)
            z += part;
        z = std::max(z, 1e-12);
        at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                double ax = 0, ay = 0;
                for (int64_t e = rowStart[static_cast<std::size_t>(i)]; e < rowStart[static_cast<std::size_t>(i + 1)]; ++e) {
                    const int64_t j = columns[static_cast<std::size_t>(e)];
                    const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                    const double pq = values[static_cast<std::size_t>(e)] / (1.0 + dx * dx + dy * dy);
                    ax += pq * dx;
                    ay += pq * dy;
                }
                ax *= exaggeration;
                ay *= exaggeration;
                gradient[static_cast<std::size_t>(2 * i)] = 4.0 * (ax - repulsionX[static_cast<std::size_t>(i)] / z);
                gradient[static_cast<std::size_t>(2 * i + 1)] = 4.0 * (ay - repulsionY[static_cast<std::size_t>(i)] / z);
            }
        });
        for (std::size_t c = 0; c < y.size(); ++c) {
            // Delta-bar-delta gains: grow while the gradient keeps its sign against the step, else shrink.
            gains[c] = (gradient[c] > 0) != (velocity[c] > 0) ? gains[c] + 0.2 : std::max(gains[c] * 0.8, 0.01);
            velocity[c] = momentum * velocity[c] - learningRate * gains[c] * gradient[c];
            y[c] += velocity[c];
        }
        if (iteration % 50 == 0 || iteration + 1 == options.iterations)
            reportProgress(progress, {"t-SNE", static_cast<std::size_t>(iteration + 1), static_cast<std::size_t>(options.iterations)});
    }
    return torch::tensor(y, torch::kDouble).view({n, 2}).to(torch::kFloat32);
}

namespace {

// Calls visit(original, mapped) with squared distances [rows, N] from blocks of rows to every point, in the
// data and in the map, a point's distance to itself set to infinity (it is never its own neighbour).
template <typename Visit>
void forNeighbourhoodBlocks(const torch::Tensor& x, const torch::Tensor& embedding, Visit visit)
{
    const int64_t n = x.size(0);
    const auto data = x.to(torch::kFloat32), low = embedding.to(torch::kFloat32);
    const auto dataNorms = data.square().sum(1), lowNorms = low.square().sum(1);
    constexpr int64_t block = 512;
    for (int64_t start = 0; start < n; start += block) {
        const int64_t b = std::min(block, n - start);
        const auto self = torch::arange(start, start + b), rows = torch::arange(b);
        auto original = dataNorms.narrow(0, start, b).unsqueeze(1) + dataNorms.unsqueeze(0) - 2 * data.narrow(0, start, b).mm(data.t());
        auto mapped = lowNorms.narrow(0, start, b).unsqueeze(1) + lowNorms.unsqueeze(0) - 2 * low.narrow(0, start, b).mm(low.t());
        original.index_put_({rows, self}, std::numeric_limits<float>::infinity());
        mapped.index_put_({rows, self}, std::numeric_limits<float>::infinity());
        visit(original, mapped);
    }
}

} // namespace

double trustworthiness(const torch::Tensor& x, const torch::Tensor& embedding, int k)
{
    const int64_t n = x.size(0);
    requireMatrix(x, 2 * k + 2, "trustworthiness");
    double penalty = 0;
    forNeighbourhoodBlocks(x, embedding, [&](const torch::Tensor& original, const torch::Tensor& mapped) {
        const auto mappedNeighbours = std::get<1>(mapped.topk(k, 1, false));        // [b, k]
        const auto originalNeighbours = std::get<1>(original.topk(k, 1, false));    // [b, k]
        // Rank (1-based) in the original space of each map neighbour: how many points are nearer.
        const auto d = original.gather(1, mappedNeighbours);                       // [b, k]
        const auto ranks = (original.unsqueeze(1) < d.unsqueeze(2)).sum(2) + 1;     // [b, k]
        const auto isTrueNeighbour = (mappedNeighbours.unsqueeze(2) == originalNeighbours.unsqueeze(1)).any(2);
        penalty += ((ranks - k).clamp_min(0) * (~isTrueNeighbour)).sum().item<double>();
    });
    return 1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty;
}

double knnPreservation(const torch::Tensor& x, const torch::Tensor& embedding, int k)
{
    requireMatrix(x, k + 2, "k-NN preservation");
    double kept = 0;
    forNeighbourhoodBlocks(x, embedding, [&](const torch::Tensor& original, const torch::Tensor& mapped) {
        const auto a = std::get<1>(original.topk(k, 1, false)), m = std::get<1>(mapped.topk(k, 1, false));
        kept += (a.unsqueeze(2) == m.unsqueeze(1)).any(2).sum().item<double>();
    });
    return kept / (static_cast<double>(x.size(0)) * k);
}

MapQuality measureMapQuality(const torch::Tensor& x, const torch::Tensor& embedding, int k)
{
    MapQuality quality;
    quality.points = x.size(0);
    quality.k = k;
    if (quality.points >= 2 * k + 2)
        quality.trustworthiness = trustworthiness(x, embedding, k);
    else
        quality.note = "trustworthiness (k = " + std::to_string(k) + ") not computed: " + std::to_string(quality.points) +
                       " points, it needs at least " + std::to_string(2 * k + 2);
    if (quality.points >= k + 2)
        quality.knnPreserved = knnPreservation(x, embedding, k);
    return quality;
}

} // namespace dermgan::explain
