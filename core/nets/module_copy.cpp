#include "nets/module_copy.h"

#include <torch/torch.h>

namespace dermgan::nets {

void copyModuleState(const torch::nn::Module& source, torch::nn::Module& destination)
{
    torch::NoGradGuard noGrad;
    const auto parameters = source.named_parameters();
    for (auto& item : destination.named_parameters())
        item.value().copy_(parameters[item.key()]);
    copyBuffers(source, destination);
}

void copyBuffers(const torch::nn::Module& source, torch::nn::Module& destination)
{
    torch::NoGradGuard noGrad;
    const auto buffers = source.named_buffers();
    for (auto& item : destination.named_buffers())
        item.value().copy_(buffers[item.key()]);
}

} // namespace dermgan::nets
