#include "io/tagged_archive.h"

#include <sstream>

#include <torch/torch.h>

#include "common/errors.h"
#include "common/hashing.h"
#include "io/atomic_file.h"
#include "io/file_errors.h"
#include "io/zip_archive.h"

namespace dermgan {

namespace fs = std::filesystem;

TaggedArchive openTaggedArchive(const fs::path& path, const std::string& format, int maxVersion, const std::string& what)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(what + " " + path.string() + " does not exist");
    // LibTorch's reader checks no CRC and trusts the directory's sizes (a shrunk member crashed a resume):
    // every member is read and checked through libzip first.
    try {
        verifyZipMembers(path);
    } catch (const InputError& e) {
        throw InputError("file " + path.string() + " is damaged or not a " + what + " (" + e.what() + ")");
    }
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path.string());
    } catch (const std::exception& e) {  // c10::Error, TorchScript's ErrorReport, std::out_of_range of the unpickler
        throw InputError("file " + path.string() + " is truncated or not a " + what + " (cannot read the archive: " +
                         errorSummary(e) + ")");
    }
    c10::IValue tag, version;
    if (!archive.try_read("format", tag) || !tag.isString() || tag.toStringRef() != format)
        throw InputError("file " + path.string() + " is not a " + what + " (no '" + format + "' format tag" +
                         (tag.isString() ? "; it is a '" + tag.toStringRef() + "' file)" : ")"));
    if (!archive.try_read("version", version) || !version.isInt() || version.toInt() > maxVersion)
        throw InputError(what + " " + path.string() + " has format version " +
                         (version.isInt() ? std::to_string(version.toInt()) : std::string("?")) + "; this dermgan reads up to " +
                         std::to_string(maxVersion) + " (upgrade dermgan)");
    if (version.toInt() < 1)
        throw InputError("file " + path.string() + " has format version " + std::to_string(version.toInt()) +
                         "; versions of a " + what + " start at 1 (damaged file?)");
    return {std::move(archive), static_cast<int>(version.toInt())};
}

void writeFormatTag(torch::serialize::OutputArchive& archive, const std::string& format, int version)
{
    archive.write("format", c10::IValue(format));
    archive.write("version", c10::IValue(static_cast<int64_t>(version)));
}

void writeJsonEntry(torch::serialize::OutputArchive& archive, const std::string& key, const nlohmann::json& json)
{
    archive.write(key, c10::IValue(json.dump()));
}

nlohmann::json readJsonEntry(torch::serialize::InputArchive& archive, const std::string& key, const fs::path& path)
{
    c10::IValue value;
    if (!archive.try_read(key, value) || !value.isString())
        throw InputError("file " + path.string() + " has no '" + key + "' entry; expected a dermgan file");
    try {
        return nlohmann::json::parse(value.toStringRef());
    } catch (const nlohmann::json::exception& e) {
        throw InputError("file " + path.string() + " has a corrupt '" + key + "' entry: " + e.what());
    }
}

void saveArchive(torch::serialize::OutputArchive& archive, const std::vector<fs::path>& destinations)
{
    std::ostringstream buffer;
    archive.save_to(buffer);
    const std::string bytes = buffer.str();
    for (const auto& destination : destinations)
        writeFileAtomically(destination, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

void loadModuleEntry(torch::serialize::InputArchive& archive, const std::string& key, torch::nn::Module& module,
                     const fs::path& path)
{
    torch::serialize::InputArchive entry;
    if (!archive.try_read(key, entry))
        throw InputError("file " + path.string() + " has no '" + key + "' network");
    // LibTorch's loader adopts a stored tensor of another shape silently: check shapes first.
    try {
        const auto expected = module.named_parameters();
        std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
        for (const auto& item : expected)
            shapes.emplace_back(item.key(), item.value().sizes().vec());
        module.load(entry);
        for (const auto& [name, shape] : shapes)
            if (module.named_parameters()[name].sizes().vec() != shape)
                throw InputError("file " + path.string() + ": '" + key + "." + name +
                                 "' has another shape than its config implies (corrupt or foreign file)");
    } catch (const c10::Error& e) {
        throw InputError("file " + path.string() + ": network '" + key +
                         "' does not match the architecture in its config (" + e.msg().substr(0, e.msg().find('\n')) + ")");
    }
}

std::string moduleHash(torch::nn::Module& module)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    auto mix = [&hash](const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) {
            hash ^= bytes[i];
            hash *= 0x100000001b3ULL;
        }
    };
    auto mixTensor = [&](const std::string& name, const torch::Tensor& value) {
        mix(name.data(), name.size());
        const auto cpu = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const auto sizes = cpu.sizes().vec();
        mix(sizes.data(), sizes.size() * sizeof(int64_t));
        mix(cpu.data_ptr(), static_cast<std::size_t>(cpu.numel()) * sizeof(float));
    };
    for (const auto& item : module.named_parameters())
        mixTensor(item.key(), item.value());
    for (const auto& item : module.named_buffers())
        mixTensor(item.key(), item.value());
    return hex16(hash);
}

} // namespace dermgan
