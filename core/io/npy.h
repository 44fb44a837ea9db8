#pragma once
// NumPy .npy files (format 1.0, little-endian, C order): how features, latents and directions leave
// dermgan for Python (np.load), and how the reference cross-checks read our data.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace dermgan {

// float32, float64, int64 or uint8 tensors of any shape; written atomically.
void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor);
// NumPy's .npz (np.savez): one .npy per name in a stored ZIP, written atomically. np.load(path)[name].
void writeNpz(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays);
// Reads what writeNpy writes (little-endian, C order, any of its types). InputError otherwise.
torch::Tensor readNpy(const std::filesystem::path& path);
// The same from the bytes of a .npy (e.g. a member of an .npz); `what` names it in errors.
torch::Tensor parseNpy(const std::vector<std::uint8_t>& bytes, const std::string& what);

} // namespace dermgan
