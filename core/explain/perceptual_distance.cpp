#include "explain/perceptual_distance.h"

#include <torch/script.h>
#include <torch/torch.h>

#include "common/errors.h"
#include "io/torchscript_file.h"
#include "metrics/feature_extractor.h"
#include "model/classifier_file.h"

namespace dermgan::explain {

namespace fs = std::filesystem;

namespace {

class DermPerceptualDistance : public PerceptualDistance {
public:
    DermPerceptualDistance(const fs::path& file, const c10::Device& device) : model_(metrics::loadClassifier(file, device))
    {
        for (auto& p : model_.network->parameters())
            p.requires_grad_(false);
    }
    std::string name() const override { return "derm-lpips"; }
    torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) override
    {
        const auto n = a.size(0);
        const auto maps = model_.network->run(torch::cat({a, b}).to(model_.device), true).stageMaps;
        auto total = torch::zeros({n}, maps.front().options());
        for (const auto& map : maps) {
            const auto unit = map / (map.square().sum(1, true) + 1e-10).sqrt();
            total = total + (unit.narrow(0, 0, n) - unit.narrow(0, n, n)).square().sum(1).mean({1, 2});
        }
        return total.to(a.device());
    }

private:
    metrics::ClassifierModel model_;
};

class TorchScriptVggDistance : public PerceptualDistance {
public:
    TorchScriptVggDistance(const fs::path& file, const c10::Device& device) : device_(device)
    {
        module_ = loadTorchScriptFile(file, device, "perceptual network");
        module_.eval();
        path_ = file;
    }
    std::string name() const override { return "vgg16-lpips"; }
    torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) override
    {
        const auto n = a.size(0);
        const auto images = ((torch::cat({a, b}) + 1) * 127.5).to(device_);
        c10::IValue out;
        try {
            out = module_.get_method("forward")({images}, {{"resize_images", false}, {"return_lpips", true}});
        } catch (const c10::Error& e) {
            throw InputError("perceptual network " + path_.string() + " failed (expected NVlabs' vgg16.pt): " +
                             e.msg().substr(0, e.msg().find('\n')));
        }
        const auto features = out.toTensor();
        return (features.narrow(0, 0, n) - features.narrow(0, n, n)).square().flatten(1).sum(1).to(a.device());
    }

private:
    c10::Device device_;
    torch::jit::Module module_;
    fs::path path_;
};

} // namespace

std::unique_ptr<PerceptualDistance> openPerceptualDistance(const std::string& spec, const c10::Device& device)
{
    if (spec == "derm")
        return std::make_unique<DermPerceptualDistance>(metrics::bundledModelPath(metrics::bundledDermNetworkFile()), device);
    const fs::path file(spec);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw InputError("perceptual network " + spec + " does not exist; expected 'derm', a .dermnet file or vgg16.pt");
    if (file.extension() == ".dermnet")
        return std::make_unique<DermPerceptualDistance>(file, device);
    return std::make_unique<TorchScriptVggDistance>(file, device);
}

} // namespace dermgan::explain
