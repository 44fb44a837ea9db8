#include "model/torchscript_export.h"

#include <sstream>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

#include <vector>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace dermgan {

namespace {

// TorchScript attribute names cannot hold dots: mapping.fc0.weight -> mapping__fc0__weight.
std::string safeName(std::string name)
{
    for (std::size_t at = name.find('.'); at != std::string::npos; at = name.find('.', at + 2))
        name.replace(at, 1, "__");
    return name;
}

} // namespace

void exportTorchScript(const GeneratorModel& model, const std::filesystem::path& destination)
{
    const auto& network = model.network();
    nets::Generator generator = model.generator;
    const bool wasFused = generator->fusedModconv;
    generator->to(torch::kCPU);
    generator->fusedModconv = false;  // the CPU's faster form
    // The file is for inference: its weights are saved without gradients (restored here afterwards).
    std::vector<bool> requiredGrad;
    for (auto& parameter : generator->parameters()) {
        requiredGrad.push_back(parameter.requires_grad());
        parameter.requires_grad_(false);
    }
    torch::NoGradGuard noGrad;
    // Traced at batch 1: LibTorch's C++ tracer records tensor sizes as constants, so the file takes one
    // latent per call (loop in Python for more).
    const auto z = torch::randn({1, network.zDim});
    auto c = torch::zeros({1, network.classCount});
    if (network.classCount > 0)
        c.index_put_({torch::indexing::Slice(), 0}, 1.0);
    const auto psi = torch::tensor(1.0);
    // Truncation pulls toward what dermgan's own forward pass uses: each class's mean w on a conditional model
    // (a [classes, w] table stored in the file), else w_avg.
    torch::Tensor classMeans;
    if (network.classCount > 0 && generator->mapping->truncationCenter == nets::TruncationCenter::ClassMean) {
        std::vector<torch::Tensor> means;
        for (int k = 0; k < network.classCount; ++k)
            means.push_back(generator->mapping->classMeanW(k));
        classMeans = torch::stack(means);
    }
    // psi enters as a tensor (a double would be traced as a constant): truncation applied to the untruncated ws.
    const auto forward = [&](torch::jit::Stack inputs) -> torch::jit::Stack {
        const auto zIn = inputs[0].toTensor(), cIn = inputs[1].toTensor(), psiIn = inputs[2].toTensor();
        auto ws = generator->mapping->forward(zIn, network.classCount > 0 ? cIn : torch::Tensor(), 1.0);
        const auto center = classMeans.defined() ? cIn.matmul(classMeans).unsqueeze(1) : generator->mapping->w_avg;
        ws = center + (ws - center) * psiIn;
        return {generator->synthesis->forward(ws, nets::NoiseMode::Const, false)};
    };
    // The weights become attributes of the scripted module: tracing with it as `self` records reads of
    // them (prim::GetAttr) instead of baking tensors into the graph, which TorchScript files cannot hold.
    torch::jit::Module module("__torch__.dermgan.Generator");
    for (const auto& item : generator->named_parameters())
        module.register_parameter(safeName(item.key()), item.value(), false);
    for (const auto& item : generator->named_buffers())
        module.register_buffer(safeName(item.key()), item.value());
    if (classMeans.defined())
        module.register_buffer("truncation_class_mean_w", classMeans);
    module.register_attribute("model_hash", c10::StringType::get(), model.hash);
    auto traced = torch::jit::tracer::trace({z, c, psi}, forward, [](const torch::autograd::Variable&) { return std::string(); },
                                           /*strict=*/false, /*force_outplace=*/false, &module);
    auto unit = module._ivalue()->compilation_unit();
    auto* method = unit->create_function(c10::QualifiedName(*module.type()->name(), "forward"), traced.first->graph);
    module.type()->addMethod(method);
    std::string error;
    try {
        // Serialised in memory first: LibTorch's archive writer throws from its destructor when the stream
        // fails (a full disk aborted the process), while a failed write of plain bytes is caught below.
        std::ostringstream buffer;
        module.save(buffer);
        const std::string bytes = buffer.str();
        writeFileAtomically(destination, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
    } catch (const std::exception& e) {
        error = e.what();
    }
    generator->fusedModconv = wasFused;
    std::size_t index = 0;
    for (auto& parameter : generator->parameters())
        parameter.requires_grad_(requiredGrad[index++]);
    generator->to(model.device);
    if (!error.empty())
        throw InputError("cannot write TorchScript file " + destination.string() + ": " + error.substr(0, error.find('\n')));
}

} // namespace dermgan
