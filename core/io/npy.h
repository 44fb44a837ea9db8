#pragma once
// NumPy .npy files (format 1.0, little-endian, C order): how features, latents and directions leave
// dermgan for Python (np.load), and how the reference cross-checks read our data.
#include <filesystem>

#include <torch/types.h>

namespace dermgan {

// float32, float64, int64 or uint8 tensors of any shape; written atomically.
void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor);
// Reads what writeNpy writes (little-endian, C order, any of its types). InputError otherwise.
torch::Tensor readNpy(const std::filesystem::path& path);

} // namespace dermgan
