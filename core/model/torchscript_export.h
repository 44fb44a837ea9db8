#pragma once
// A dermgan generator as a TorchScript file for Python users: G = torch.jit.load(path);
// img = G(z, c, psi) with z [1, z_dim], c [1, c_dim] one-hot ([1, 0] when unconditional), psi a 0-dim tensor;
// img is [1, 3, R, R] in about [-1, 1], constant noise, float32 on the CPU; G.model_hash names the model.
// The file is traced from dermgan's own forward pass, so it computes what dermgan renders; the trace holds
// batch size 1 (the C++ tracer records sizes as constants).
#include <filesystem>

#include "model/snapshot.h"

namespace dermgan {

// Written atomically. InputError when the destination cannot be written.
void exportTorchScript(const GeneratorModel& model, const std::filesystem::path& destination);

} // namespace dermgan
