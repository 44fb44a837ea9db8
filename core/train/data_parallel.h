#pragma once
// Data-parallel training: several processes train one model, each on its share of every minibatch, and
// average their gradients after each backward pass (as the reference's training_loop.py does with
// torch.distributed). The transport (Gloo, an in-process group in tests) is the caller's.
#include <functional>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace dermgan::train {

// This process is `rank` of `world`, draws batch / world images per step, and `averageGradients` turns
// the tensors it is given into their mean over all processes, in place.
struct DataParallel {
    int rank = 0;
    int world = 1;
    std::function<void(const std::vector<torch::Tensor>&)> averageGradients;
};

// Replaces the gradients of `module` (and `extra`, e.g. ADA's statistics, when defined) by their mean over
// all processes; nothing when `parallel` has no transport. A parameter outside this phase's graph gets a
// zero gradient first, so that every process sends the same list. Buffers named "*w_avg" travel along: G's
// running mean of w moves with each process's own latents, and averaged it stays one value everywhere.
void averageGradients(const DataParallel& parallel, torch::nn::Module& module, const torch::Tensor& extra = {});

} // namespace dermgan::train
