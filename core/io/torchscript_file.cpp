#include "io/torchscript_file.h"

#include <torch/script.h>

#include "common/errors.h"
#include "io/file_errors.h"
#include "io/zip_archive.h"

namespace dermgan {

torch::jit::Module loadTorchScriptFile(const std::filesystem::path& file, const c10::Device& device, const std::string& what)
{
    try {
        verifyZipMembers(file);
        return torch::jit::load(file.string(), device);
    } catch (const std::exception& e) {  // InputError, c10::Error, torch::jit::ErrorReport
        throw InputError(what + " " + file.string() + " is not a loadable TorchScript file (" + errorSummary(e) + ")");
    }
}

} // namespace dermgan
