#pragma once
// Every evaluation command writes the same pair: NAME.json (machine-readable, with the command) and
// NAME.txt (the table a person reads, with the command on top), both atomically.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace dermgan::cli {

void writeReport(const std::filesystem::path& folder, const std::string& name, nlohmann::json json, const std::string& text);

} // namespace dermgan::cli
