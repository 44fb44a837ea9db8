// Time and faithfulness of our UMAP and t-SNE against umap-learn and scikit-learn's Barnes-Hut t-SNE on the
// same matrix, in one run. Faithfulness is trustworthiness and k-NN preservation at k = 10, computed by our
// code for all four maps (so the peers are judged by the same ruler).
// Usage: bench_embedding [--features F.npy] [--n 10000] [--dim 512] [--no-peers]
// Without --features the matrix is generated: 7 clusters of HAM10000's class proportions, each a Gaussian on
// its own random 12-D subspace plus isotropic noise (image features are low-dimensional manifolds in a
// wide space). `dermgan embed ... --count 5000` writes a real one: features.npy (derm features of real and
// synthetic images).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/runtime.h"
#include "explain/embedding.h"
#include "explain/umap.h"
#include "io/npy.h"

using namespace dermgan;
using namespace dermgan::explain;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

torch::Tensor clusteredFeatures(int64_t n, int64_t dim)
{
    torch::manual_seed(0);
    const std::vector<double> share{0.033, 0.051, 0.110, 0.011, 0.111, 0.670, 0.014};  // akiec..vasc
    std::vector<torch::Tensor> parts;
    int64_t left = n;
    for (std::size_t c = 0; c < share.size(); ++c) {
        const int64_t count = c + 1 == share.size() ? left : static_cast<int64_t>(share[c] * n);
        left -= count;
        const auto basis = std::get<0>(torch::linalg::qr(torch::randn({dim, 12})));  // [dim, 12], orthonormal columns
        const auto centre = torch::randn({dim}) * 1.5;
        parts.push_back(centre + torch::randn({count, 12}).mm(basis.t()) * 2.0 + torch::randn({count, dim}) * 0.3);
    }
    return torch::cat(parts);
}

struct Row {
    std::string name;
    double seconds = 0;
    torch::Tensor map;
};

void print(const torch::Tensor& x, const Row& row, double peerSeconds)
{
    const double trust = trustworthiness(x, row.map, 10), kept = knnPreservation(x, row.map, 10);
    std::printf("%-22s %8.1f s   trustworthiness %.4f   k-NN preserved %.3f", row.name.c_str(), row.seconds, trust, kept);
    if (peerSeconds > 0)
        std::printf("   %.1fx the peer's speed", peerSeconds / row.seconds);
    std::printf("\n");
}

} // namespace

int main(int argc, char** argv)
{
    int64_t n = 10000, dim = 512;
    std::string features;
    bool peers = true;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--no-peers")
            peers = false;
        else if (i + 1 < argc && flag == "--features")
            features = argv[++i];
        else if (i + 1 < argc && flag == "--n")
            n = std::atoll(argv[++i]);
        else if (i + 1 < argc && flag == "--dim")
            dim = std::atoll(argv[++i]);
    }
    const int threads = configureThreads(0);
    const auto work = std::filesystem::temp_directory_path() / "dermgan-bench-embedding";
    std::filesystem::create_directories(work);
    const auto x = features.empty() ? clusteredFeatures(n, dim) : readNpy(features).to(torch::kFloat32);
    if (features.empty()) {
        features = (work / "features.npy").string();
        writeNpy(features, x);
    }
    std::printf("%lld x %lld matrix (%s), %d threads\n", static_cast<long long>(x.size(0)), static_cast<long long>(x.size(1)),
                features.c_str(), threads);

    Row umap{"dermgan UMAP"}, tsne{"dermgan t-SNE"}, pca{"dermgan PCA"};
    auto start = Clock::now();
    umap.map = umapEmbedding(x);
    umap.seconds = since(start);
    start = Clock::now();
    tsne.map = tsneEmbedding(x);
    tsne.seconds = since(start);
    start = Clock::now();
    pca.map = pcaEmbedding(x);
    pca.seconds = since(start);

    Row umapLearn{"umap-learn"}, sklearnTsne{"scikit-learn t-SNE"};
    if (peers) {
        const char* python = std::getenv("DERMGAN_PYTHON");
        const std::string interpreter = python ? python : (std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
        const std::string command = interpreter + " '" + DERMGAN_SOURCE_DIR + "/tests/benchmarks/embedding_peers.py' '" +
                                    features + "' '" + work.string() + "' 2>/dev/null";
        std::string last;
        if (FILE* pipe = popen(command.c_str(), "r")) {
            char line[4096];
            while (std::fgets(line, sizeof line, pipe))
                last = line;
            pclose(pipe);
        }
        try {
            const auto times = nlohmann::json::parse(last);
            umapLearn.seconds = times.at("umap-learn");
            sklearnTsne.seconds = times.at("sklearn-tsne");
            umapLearn.map = readNpy(work / "umap-learn.npy");
            sklearnTsne.map = readNpy(work / "sklearn-tsne.npy");
        } catch (const std::exception&) {
            peers = false;
            std::printf("peers not run: needs Debian's umap-learn and python3-sklearn (apt-get install umap-learn python3-sklearn)\n");
        }
    }
    print(x, umap, peers ? umapLearn.seconds : 0);
    if (peers)
        print(x, umapLearn, 0);
    print(x, tsne, peers ? sklearnTsne.seconds : 0);
    if (peers)
        print(x, sklearnTsne, 0);
    print(x, pca, 0);
    return 0;
}
