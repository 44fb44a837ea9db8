#include "report_files.h"

#include "invocation.h"
#include "io/atomic_file.h"

namespace dermgan::cli {

void writeReport(const std::filesystem::path& folder, const std::string& name, nlohmann::json json, const std::string& text)
{
    std::filesystem::create_directories(folder);
    json["command"] = invocation();
    writeTextFileAtomically(folder / (name + ".json"), json.dump(2) + "\n");
    writeTextFileAtomically(folder / (name + ".txt"), "# reproduce: " + invocation() + "\n" + text);
}

} // namespace dermgan::cli
