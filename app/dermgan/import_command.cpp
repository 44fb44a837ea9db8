// `dermgan import-stylegan2`: a generator trained with the reference StyleGAN2-ADA (PyTorch) code, as a
// dermgan model. A network pickle goes through packaging/stylegan2_to_npz.py first (it needs the user's
// checkout of the reference code to unpickle); an .npz it wrote is imported directly.
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common/errors.h"
#include "common/exit_codes.h"
#include "model/stylegan2_import.h"
#include "model_arguments.h"
#include "model_commands.h"

namespace dermgan::cli {

namespace fs = std::filesystem;

namespace {

fs::path converterScript()
{
    if (const char* configured = std::getenv("DERMGAN_STYLEGAN2_CONVERTER"); configured && *configured)
        return configured;
    for (const fs::path candidate : {fs::path(DERMGAN_SOURCE_PACKAGING_DIR), fs::path(DERMGAN_INSTALL_PACKAGING_DIR)})
        if (fs::is_regular_file(candidate / "stylegan2_to_npz.py"))
            return candidate / "stylegan2_to_npz.py";
    throw InputError("packaging/stylegan2_to_npz.py was not found; set DERMGAN_STYLEGAN2_CONVERTER to its path");
}

// Runs the converter: pickle -> npz (posix_spawn: the CLI has no Qt). Its one-line refusal (exit 3) becomes ours.
void convertPickle(const fs::path& pickle, const std::string& reference, const std::string& python, const fs::path& npz)
{
    if (reference.empty())
        throw InputError("importing a network pickle needs --reference, a checkout of NVlabs/stylegan2-ada-pytorch "
                         "(to unpickle it), or an .npz made by packaging/stylegan2_to_npz.py");
    const std::string script = converterScript().string();
    const fs::path errors = npz.string() + ".log";
    std::vector<std::string> words{python, script, "--reference", reference, pickle.string(), npz.string()};
    std::vector<char*> argv;
    for (auto& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // its JSON summary: ours follows
    posix_spawn_file_actions_addopen(&actions, 2, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        throw InputError(python + " could not be started; install python3-torch and python3-numpy, or pass --python");
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream log(errors);
    std::string line, last;
    while (std::getline(log, line))
        if (!line.empty())
            last = line;
    fs::remove(errors);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw InputError(last.empty() ? "the StyleGAN2-ADA converter failed" : last);
}

} // namespace

void addImportCommand(CLI::App& parent, int& exitCode)
{
    struct ImportArgs {
        std::string input, out, reference, python = "python3", classNames;
    };
    auto args = std::make_shared<ImportArgs>();
    auto* cmd = parent.add_subcommand("import-stylegan2", "Import a StyleGAN2-ADA (PyTorch) generator: a network pickle or its .npz");
    cmd->add_option("input", args->input, "network-snapshot-*.pkl (with --reference) or an .npz of packaging/stylegan2_to_npz.py")
        ->required();
    cmd->add_option("--out,-o", args->out, "Destination .dermgan file")->required();
    cmd->add_option("--reference", args->reference, "Checkout of NVlabs/stylegan2-ada-pytorch, needed to unpickle a .pkl");
    cmd->add_option("--python", args->python, "Python with torch and numpy (Debian: python3-torch)")->capture_default_str();
    cmd->add_option("--class-names", args->classNames, "Comma list naming a conditional network's classes (default class0, ...)");
    cmd->callback([args, &exitCode] {
        const fs::path input(args->input), out(args->out);
        if (out.extension() != ".dermgan")
            throw InputError("--out " + args->out + " must end in .dermgan");
        if (!fs::exists(input))
            throw InputError("network " + args->input + " does not exist");
        fs::path npz = input;
        if (input.extension() == ".pkl") {
            npz = out;
            npz.replace_extension(".npz");
            convertPickle(input, args->reference, args->python, npz);
        } else if (input.extension() != ".npz") {
            throw InputError("network " + args->input + " is neither a .pkl nor an .npz");
        }
        auto model = importStyleGan2(npz, splitList(args->classNames));
        exportGenerator(model, out);
        const auto& n = model.network();
        std::cout << "imported " << args->input << ": " << n.resolution << "x" << n.resolution << ", "
                  << (n.classCount > 0 ? std::to_string(n.classCount) + " classes" : std::string("unconditional")) << ", z " << n.zDim
                  << ", w " << n.wDim << ", " << n.numWs() << " ws; wrote " << args->out << " (model hash " << model.hash << ")"
                  << (npz != input ? "; the converted tensors stay in " + npz.string() : std::string()) << "\n";
        exitCode = kOk;
    });
}

} // namespace dermgan::cli
