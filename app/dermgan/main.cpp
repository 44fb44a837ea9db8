// dermgan: the headless command line. Parses arguments, runs the core, maps failures to exit codes.
#include <iostream>

#include <CLI/CLI.hpp>

#include "common/errors.h"
#include "common/runtime.h"
#include "dataset_commands.h"
#include "distributed/aggregator.h"
#include "evaluation_commands.h"
#include "common/exit_codes.h"
#include "explain_commands.h"
#include "invocation.h"
#include "model_commands.h"
#include "terminal_progress.h"

int main(int argc, char** argv)
{
    using namespace dermgan::cli;
    CLI::App app{"dermgan " DERMGAN_VERSION ": GAN-based generative modelling of skin-lesion images"};
    app.footer("Exit codes: 0 success, 1 internal error, 2 the command line does not parse, 3 bad input (files, or\n"
               "option values that parse but are refused), 4 another site failed (federated / data-parallel),\n"
               "130 interrupted.\n"
               "Every command takes --help.");
    app.set_version_flag("--version", std::string("dermgan ") + DERMGAN_VERSION);
    app.require_subcommand(1);
    int exitCode = kOk;
    int threads = 0;
    app.add_option("--threads", threads, "CPU threads for LibTorch (0 = one per core)")->capture_default_str();
    app.parse_complete_callback([&threads] {
        dermgan::setRequestedThreads(threads);
        dermgan::configureThreads(threads);
    });
    addDatasetCommands(app, exitCode);
    addTrainCommand(app, exitCode);
    addFederatedSimCommand(app, exitCode);
    addGenerateCommand(app, exitCode);
    addExportCommand(app, exitCode);
    addImportCommand(app, exitCode);
    addClassifyCommand(app, exitCode);
    addMetricsCommand(app, exitCode);
    addAuditCommand(app, exitCode);
    addReaderStudyCommand(app, exitCode);
    addProjectCommand(app, exitCode);
    addDirectionsCommand(app, exitCode);
    addEmbedCommand(app, exitCode);
    addStudyCommand(app, exitCode);
    recordInvocation(argc, argv);

    installInterruptHandler();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)  // --help, --version
            return app.exit(e);
        std::cerr << "dermgan: " << e.what() << " (run with --help for usage)\n";
        return kUsageError;
    } catch (const dermgan::InputError& e) {
        std::cerr << "dermgan: error: " << e.what() << "\n";
        return kInputError;
    } catch (const dermgan::distributed::PeerError& e) {
        std::cerr << "dermgan: error: " << e.what() << "\n";
        return kPeerFailed;
    } catch (const dermgan::CancelledError&) {
        std::cerr << "dermgan: interrupted\n";
        return kCancelled;
    } catch (const std::exception& e) {
        std::cerr << "dermgan: internal error: " << e.what() << "\n";
        return kInternalError;
    }
    return exitCode;
}
