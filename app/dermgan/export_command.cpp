// `dermgan export`: the generator-only file of a training snapshot (G_ema, config, progress), the file
// to bundle and share: a tenth of a snapshot's size, loadable everywhere a snapshot is.
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/errors.h"
#include "exit_codes.h"
#include "io/snapshot.h"
#include "model_commands.h"

namespace dermgan::cli {

void addExportCommand(CLI::App& parent, int& exitCode)
{
    struct ExportArgs {
        std::string snapshot, out;
    };
    auto args = std::make_shared<ExportArgs>();
    auto* cmd = parent.add_subcommand("export", "Write the generator-only file (G_ema + config) of a training snapshot");
    cmd->add_option("snapshot", args->snapshot, "Snapshot (.dermgan) of dermgan train")->required();
    cmd->add_option("--out,-o", args->out, "Destination .dermgan file")->required();
    cmd->callback([args, &exitCode] {
        if (std::filesystem::path(args->out).extension() != ".dermgan")
            throw InputError("--out " + args->out + " must end in .dermgan");
        const auto model = loadGeneratorModel(args->snapshot, c10::kCPU);
        exportGenerator(model, args->out);
        std::cout << "wrote " << args->out << " (" << std::filesystem::file_size(args->out) << " bytes, kimg "
                  << model.progress.value("kimg", 0.0) << ", model hash " << model.hash << ")\n";
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
