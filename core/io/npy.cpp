#include "io/npy.h"

#include <string>

#include <torch/torch.h>

#include "common/errors.h"
#include "io/atomic_file.h"

namespace dermgan {

void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor)
{
    const auto t = tensor.detach().cpu().contiguous();
    std::string descr;
    switch (t.scalar_type()) {
    case torch::kFloat32: descr = "<f4"; break;
    case torch::kFloat64: descr = "<f8"; break;
    case torch::kInt64: descr = "<i8"; break;
    case torch::kUInt8: descr = "|u1"; break;
    default: throw InputError("cannot write tensors of type " + std::string(c10::toString(t.scalar_type())) + " as .npy");
    }
    std::string shape = "(";
    for (int64_t i = 0; i < t.dim(); ++i)
        shape += std::to_string(t.size(i)) + (t.dim() == 1 || i + 1 < t.dim() ? "," : "");
    shape += ")";
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    // Magic (6) + version (2) + header length (2) + header + '\n' is padded to a multiple of 64 bytes.
    const std::size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write("\x93NUMPY\x01\x00", 8);
        const auto length = static_cast<std::uint16_t>(header.size());
        const char le[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
        out.write(le, 2);
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    });
}

} // namespace dermgan
