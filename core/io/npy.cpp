#include "io/npy.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <regex>
#include <string>

#include <torch/torch.h>

#include "common/errors.h"
#include "io/atomic_file.h"
#include "io/zip_archive.h"

namespace dermgan {

namespace {

// Writes `tensor` as a version 1 .npy to `out`.
void writeNpyStream(std::ostream& out, const torch::Tensor& tensor)
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
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<std::uint16_t>(header.size());
    const char le[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(le, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
}

} // namespace

void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor)
{
    writeFileAtomically(path, [&](std::ostream& out) { writeNpyStream(out, tensor); });
}

void writeNpz(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays)
{
    ZipWriter zip;
    for (const auto& [name, tensor] : arrays) {
        std::ostringstream bytes(std::ios::binary);
        writeNpyStream(bytes, tensor);
        const std::string data = bytes.str();
        zip.add(name + ".npy", std::vector<std::uint8_t>(data.begin(), data.end()));
    }
    zip.save(path);
}

namespace {

// `what` names the source in errors: "file x.npy", or "member y.npy of z.npz".
torch::Tensor readNpyStream(std::istream& in, std::uint64_t available, const std::string& what)
{
    char magic[10];
    in.read(magic, 10);
    if (!in || std::string(magic, 6) != "\x93NUMPY" || magic[6] != 1)
        throw InputError(what + " is not a version 1 .npy file");
    const std::size_t length = static_cast<unsigned char>(magic[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(magic[9])) << 8);
    std::string header(length, '\0');
    in.read(header.data(), static_cast<std::streamsize>(length));
    std::smatch descr, shape;
    if (!std::regex_search(header, descr, std::regex("'descr': *'([<|][a-z][0-9])'")) ||
        !std::regex_search(header, shape, std::regex("'shape': *\\(([0-9, ]*)\\)")) ||
        header.find("'fortran_order': False") == std::string::npos)
        throw InputError(what + " has a header this reader does not support (C order, little-endian)");
    const std::string type = descr[1];
    const auto dtype = type == "<f4" ? torch::kFloat32 : type == "<f8" ? torch::kFloat64 : type == "<i8" ? torch::kInt64
                     : type == "|u1" ? torch::kUInt8 : throw InputError(what + " has unsupported type " + type);
    // The shape is checked against the bytes that follow before anything is allocated: a damaged header
    // may promise more elements than memory holds, or than an int64 can count.
    std::vector<int64_t> sizes;
    const std::string dims = shape[1];
    std::size_t position = 0;
    while (position < dims.size()) {
        const auto next = dims.find(',', position);
        const std::string item = dims.substr(position, next == std::string::npos ? std::string::npos : next - position);
        const auto first = item.find_first_not_of(' ');
        if (first != std::string::npos) {
            const auto digits = item.substr(first, item.find_last_not_of(' ') - first + 1);
            if (digits.size() > 15 || digits.find(' ') != std::string::npos)
                throw InputError(what + " has shape (" + dims + "), larger than any file; expected the array's true shape");
            sizes.push_back(static_cast<int64_t>(std::stoull(digits)));
        }
        if (next == std::string::npos)
            break;
        position = next + 1;
    }
    const std::uint64_t elementSize = dtype == torch::kUInt8 ? 1 : dtype == torch::kFloat32 ? 4 : 8;
    const std::uint64_t payload = available > 10 + length ? available - 10 - length : 0;
    const bool empty = std::find(sizes.begin(), sizes.end(), 0) != sizes.end();
    std::uint64_t bytesNeeded = empty ? 0 : elementSize;
    bool overflow = false;
    for (const auto size : sizes)
        overflow = overflow || (!empty && __builtin_mul_overflow(bytesNeeded, static_cast<std::uint64_t>(size), &bytesNeeded));
    if (overflow || bytesNeeded > payload)
        throw InputError(what + " has shape (" + dims + "), more than its " + std::to_string(payload) +
                         " bytes of data hold (truncated or damaged)");
    auto tensor = torch::empty(sizes, dtype);
    in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(tensor.numel() * tensor.element_size()));
    if (!in)
        throw InputError(what + " is truncated");
    return tensor;
}

} // namespace

torch::Tensor readNpy(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(".npy file " + path.string() + " does not exist");
    std::error_code ec;
    const auto available = std::filesystem::file_size(path, ec);
    return readNpyStream(in, ec ? 0 : available, ".npy file " + path.string());
}

torch::Tensor parseNpy(const std::vector<std::uint8_t>& bytes, const std::string& what)
{
    std::istringstream in(std::string(bytes.begin(), bytes.end()), std::ios::binary);
    return readNpyStream(in, bytes.size(), what);
}

} // namespace dermgan
