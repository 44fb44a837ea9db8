#include "train/data_parallel.h"

namespace dermgan::train {

void averageGradients(const DataParallel& parallel, torch::nn::Module& module, const torch::Tensor& extra)
{
    if (!parallel.averageGradients)
        return;
    std::vector<torch::Tensor> tensors;
    for (auto& parameter : module.parameters()) {
        if (!parameter.grad().defined())
            parameter.mutable_grad() = torch::zeros_like(parameter);
        tensors.push_back(parameter.grad());
    }
    for (const auto& buffer : module.named_buffers())
        if (buffer.key().size() >= 5 && buffer.key().compare(buffer.key().size() - 5, 5, "w_avg") == 0)
            tensors.push_back(buffer.value());
    if (extra.defined())
        tensors.push_back(extra);
    parallel.averageGradients(tensors);
}

} // namespace dermgan::train
