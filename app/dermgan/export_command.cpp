// `dermgan export`: the generator-only file of a training snapshot (G_ema, config, progress), the file
// to bundle and share: a tenth of a snapshot's size, loadable everywhere a snapshot is; or, to a .pt, the
// generator as TorchScript for Python (torch.jit.load).
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/errors.h"
#include "common/exit_codes.h"
#include "model/snapshot.h"
#include "model/torchscript_export.h"
#include "model_commands.h"

namespace dermgan::cli {

void addExportCommand(CLI::App& parent, int& exitCode)
{
    struct ExportArgs {
        std::string snapshot, out;
    };
    auto args = std::make_shared<ExportArgs>();
    auto* cmd = parent.add_subcommand("export", "Write the generator-only file (G_ema + config) of a snapshot, or TorchScript (.pt)");
    cmd->add_option("snapshot", args->snapshot, "Snapshot or model (.dermgan, or an imported .npz)")->required();
    cmd->add_option("--out,-o", args->out, "Destination: .dermgan, or .pt for TorchScript (G(z, c, psi) -> images)")->required();
    cmd->callback([args, &exitCode] {
        const auto extension = std::filesystem::path(args->out).extension();
        if (extension != ".dermgan" && extension != ".pt")
            throw InputError("--out " + args->out + " must end in .dermgan or .pt (TorchScript)");
        const auto model = loadGeneratorModel(args->snapshot, c10::kCPU);
        if (extension == ".pt")
            exportTorchScript(model, args->out);
        else
            exportGenerator(model, args->out);
        std::cout << "wrote " << args->out << " (" << std::filesystem::file_size(args->out) << " bytes, kimg "
                  << model.progress.value("kimg", 0.0) << ", model hash " << model.hash << ")\n";
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
