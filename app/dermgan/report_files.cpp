#include "report_files.h"

#include <iostream>

#include "invocation.h"
#include "io/atomic_file.h"

namespace dermgan::cli {

void publishReport(const std::filesystem::path& folder, const std::string& name, nlohmann::json json,
                   const std::string& text, bool printJson)
{
    std::filesystem::create_directories(folder);
    json["command"] = invocation();
    writeTextFileAtomically(folder / (name + ".json"), json.dump(2) + "\n");
    writeTextFileAtomically(folder / (name + ".txt"), "# reproduce: " + invocation() + "\n" + text);
    if (printJson)
        std::cout << json.dump(2) << "\n";
    else
        std::cout << text << "report: " << (folder / (name + ".txt")).string() << "\n";
}

} // namespace dermgan::cli
