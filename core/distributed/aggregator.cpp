#include "distributed/aggregator.h"

#include <torch/torch.h>

namespace dermgan::distributed {

namespace {

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors, torch::ScalarType type, double scale, bool withWeight)
{
    std::vector<torch::Tensor> parts;
    parts.reserve(tensors.size() + 1);
    for (const auto& tensor : tensors)
        parts.push_back(tensor.detach().reshape({-1}).to(type) * scale);
    if (withWeight)
        parts.push_back(torch::full({1}, scale, torch::TensorOptions().dtype(type).device(tensors.front().device())));
    return torch::cat(parts);
}

void scatterBack(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    int64_t offset = 0;
    for (const auto& tensor : tensors) {
        const int64_t count = tensor.numel();
        tensor.copy_(flat.narrow(0, offset, count).view(tensor.sizes()));
        offset += count;
    }
}

} // namespace

void Aggregator::weightedAverage(const std::vector<torch::Tensor>& tensors, double weight)
{
    if (tensors.empty())
        return;
    auto flat = flatten(tensors, torch::kDouble, weight, true);
    allReduceSum(flat);
    const double total = flat[-1].item<double>();
    if (!(total > 0.0))
        throw PeerError("the sites' aggregation weights sum to " + std::to_string(total) + "; expected a positive sum");
    scatterBack(flat.narrow(0, 0, flat.size(0) - 1) / total, tensors);
}

void Aggregator::average(const std::vector<torch::Tensor>& tensors)
{
    if (tensors.empty() || world() == 1)
        return;
    // Gradients are float32; the ADA statistics riding along may be float64 (exact in float32 at batch scale).
    auto flat = flatten(tensors, torch::kFloat, 1.0, false);
    allReduceSum(flat);
    scatterBack(flat / static_cast<double>(world()), tensors);
}

void Aggregator::broadcast(const std::vector<torch::Tensor>& tensors, int root)
{
    if (tensors.empty() || world() == 1)
        return;
    auto flat = flatten(tensors, torch::kDouble, 1.0, false);
    broadcast(flat, root);
    scatterBack(flat, tensors);
}

} // namespace dermgan::distributed
