#pragma once
// Self-describing files on LibTorch's archive format (a ZIP container): a "format" tag and a "version", JSON
// entries and module entries. Snapshots, exported generators and classifiers are all such files; each kind
// checks its own tag so that a file of another kind, a truncated one or a newer one is refused in one line.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace dermgan {

void writeFormatTag(torch::serialize::OutputArchive& archive, const std::string& format, int version);

// An opened file and the format version it was written with, for the reader to dispatch on.
struct TaggedArchive {
    torch::serialize::InputArchive archive;
    int version = 0;
};

// Opens `path` and checks its tag. `what` names the kind in errors ("dermgan snapshot", "classifier").
// InputError (one line naming the file) when it is missing, damaged, of another format, or of a version
// above `maxVersion` (written by a newer dermgan) or below 1 (no file was ever written so).
TaggedArchive openTaggedArchive(const std::filesystem::path& path, const std::string& format, int maxVersion,
                                const std::string& what);

void writeJsonEntry(torch::serialize::OutputArchive& archive, const std::string& key, const nlohmann::json& json);
nlohmann::json readJsonEntry(torch::serialize::InputArchive& archive, const std::string& key,
                             const std::filesystem::path& path);

// Serialises once; writes each destination atomically.
void saveArchive(torch::serialize::OutputArchive& archive, const std::vector<std::filesystem::path>& destinations);

// Loads a module's parameters and buffers from entry `key`; InputError when they do not fit.
void loadModuleEntry(torch::serialize::InputArchive& archive, const std::string& key, torch::nn::Module& module,
                     const std::filesystem::path& path);

// 16 hex digits of a hash over every parameter and buffer (names, shapes and values).
std::string moduleHash(torch::nn::Module& module);

} // namespace dermgan
