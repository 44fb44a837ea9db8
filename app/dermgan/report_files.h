#pragma once
// Every evaluation command ends the same way: it writes NAME.json (machine-readable, with the command) and
// NAME.txt (the table a person reads, with the command on top), both atomically, then prints the JSON
// (--json) or the table and where the report went.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace dermgan::cli {

void publishReport(const std::filesystem::path& folder, const std::string& name, nlohmann::json json,
                   const std::string& text, bool printJson);

} // namespace dermgan::cli
