#include "metrics/feature_extractor.h"

#include <cstdlib>

#include <torch/script.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "data/image_store.h"
#include "io/torchscript_file.h"
#include "model/classifier_file.h"

namespace dermgan::metrics {

namespace fs = std::filesystem;

namespace {

class DermFeatureExtractor : public FeatureExtractor {
public:
    DermFeatureExtractor(const fs::path& file, const c10::Device& device) : model_(loadClassifier(file, device)) {}
    std::string name() const override { return "derm"; }
    std::string hash() const override { return model_.hash; }
    fs::path path() const override { return model_.path; }

protected:
    torch::Tensor extractBatch(const torch::Tensor& pixels) override
    {
        return model_.network->run(toModelRange(pixels).to(model_.device)).features.cpu();
    }

private:
    ClassifierModel model_;
};

class TorchScriptFeatureExtractor : public FeatureExtractor {
public:
    TorchScriptFeatureExtractor(const fs::path& file, const c10::Device& device) : path_(file), device_(device)
    {
        module_ = loadTorchScriptFile(file, device, "feature network");
        module_.eval();
        const std::string stem = file.stem().string();
        name_ = stem.rfind("inception", 0) == 0 ? "inception" : stem;
        std::error_code ec;
        hash_ = name_ + "-" + std::to_string(fs::file_size(file, ec)) + "-" +
                std::to_string(fs::last_write_time(file, ec).time_since_epoch().count());
    }
    std::string name() const override { return name_; }
    std::string hash() const override { return hash_; }
    fs::path path() const override { return path_; }

protected:
    torch::Tensor extractBatch(const torch::Tensor& pixels) override
    {
        const auto input = pixels.to(device_);
        c10::IValue out;
        try {
            out = module_.get_method("forward")({input}, {{"return_features", true}});
        } catch (const c10::Error&) {
            try {
                out = module_.forward({input});
            } catch (const c10::Error& e) {
                throw InputError("feature network " + path_.string() + " failed on uint8 images [N, 3, " +
                                 std::to_string(pixels.size(2)) + ", " + std::to_string(pixels.size(3)) + "]: " +
                                 e.msg().substr(0, e.msg().find('\n')));
            }
        }
        if (!out.isTensor() || out.toTensor().dim() != 2)
            throw InputError("feature network " + path_.string() + " must return a [N, D] tensor of features");
        return out.toTensor().to(torch::kCPU, torch::kFloat32);
    }

private:
    fs::path path_;
    c10::Device device_;
    torch::jit::Module module_;
    std::string name_, hash_;
};

} // namespace

torch::Tensor FeatureExtractor::extract(const torch::Tensor& pixels, const ProgressCallback& progress, int batch)
{
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.scalar_type() != torch::kUInt8)
        throw InputError("feature extraction expects uint8 RGB images [N, 3, H, W]");
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < pixels.size(0); start += batch) {
        const int64_t n = std::min<int64_t>(batch, pixels.size(0) - start);
        parts.push_back(extractBatch(pixels.narrow(0, start, n)));
        reportProgress(progress, {"extracting " + name() + " features", static_cast<std::size_t>(start + n),
                                  static_cast<std::size_t>(pixels.size(0))});
    }
    if (parts.empty())
        throw InputError("no images to extract features from");
    return torch::cat(parts);
}

fs::path bundledModelPath(const std::string& fileName)
{
    std::vector<fs::path> candidates;
    if (const char* dir = std::getenv("DERMGAN_MODELS_DIR"); dir && *dir)
        candidates.emplace_back(dir);
#ifdef DERMGAN_SOURCE_MODELS_DIR
    candidates.emplace_back(DERMGAN_SOURCE_MODELS_DIR);
#endif
#ifdef DERMGAN_INSTALL_MODELS_DIR
    candidates.emplace_back(DERMGAN_INSTALL_MODELS_DIR);
#endif
    std::error_code ec;
    for (const auto& dir : candidates)
        if (fs::is_regular_file(dir / fileName, ec))
            return dir / fileName;
    std::string searched;
    for (const auto& dir : candidates)
        searched += (searched.empty() ? "" : ", ") + dir.string();
    throw InputError("bundled model " + fileName + " not found (searched " + (searched.empty() ? "nothing" : searched) +
                     "); set DERMGAN_MODELS_DIR to the folder holding it");
}

const char* bundledDermNetworkFile()
{
    // Version 2 (96x96, shades-of-grey, acquisition shifts; models/derm-classifier-v2.md). Version 1,
    // derm-classifier.dermnet, stays bundled for the reports made with it.
    return "derm-classifier-v2.dermnet";
}

std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec, const c10::Device& device)
{
    if (spec == "derm")
        return std::make_unique<DermFeatureExtractor>(bundledModelPath(bundledDermNetworkFile()), device);
    const fs::path file(spec);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw InputError("feature network " + spec + " does not exist; expected 'derm', a .dermnet file or a TorchScript .pt file");
    if (file.extension() == ".dermnet")
        return std::make_unique<DermFeatureExtractor>(file, device);
    return std::make_unique<TorchScriptFeatureExtractor>(file, device);
}

} // namespace dermgan::metrics
