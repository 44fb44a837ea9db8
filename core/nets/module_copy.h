#pragma once
// Copying a network's state into another instance of the same architecture: G into G_ema, a model into
// the CPU copy that a file stores, the explorer's generator into the projector's private copy.
#include <torch/nn/module.h>

namespace dermgan::nets {

// Copies every parameter and buffer of `source` into the tensor of the same name in `destination`, without
// recording gradients. `destination` keeps its device and dtype (the values move, e.g. a CUDA model into a
// CPU copy). Both must be the same architecture: c10::Error when `source` lacks a name of `destination`.
void copyModuleState(const torch::nn::Module& source, torch::nn::Module& destination);

// Buffers only: G_ema takes G's buffers (w_avg, noise constants) as they are while its parameters are averaged.
void copyBuffers(const torch::nn::Module& source, torch::nn::Module& destination);

} // namespace dermgan::nets
