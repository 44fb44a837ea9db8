// StyleGAN2-ADA datasets as written by its dataset_tool.py: a folder or stored ZIP of images with an
// optional dataset.json {"labels": [["00000/img00000000.png", 3], ...]} (null labels = unconditional).
// dermgan also reads an optional "class_names" list, which the reference tool ignores.
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "data/dataset_layouts.h"
#include "data/image_files.h"
#include "io/zip_archive.h"

namespace dermgan {

namespace fs = std::filesystem;

namespace {

// More classes than any dermatology dataset has; a larger label is a damaged file, and would make a class
// name per index.
constexpr long long kMaxClassIndex = 9999;

int labelFromJson(const nlohmann::json& value, const std::string& name, const std::string& where)
{
    if (value.is_number_unsigned() && value.get<unsigned long long>() <= static_cast<unsigned long long>(kMaxClassIndex))
        return static_cast<int>(value.get<unsigned long long>());
    if (value.is_number_integer())
        throw InputError(where + ": label of " + name + " is " + value.dump() + "; expected a class index from 0 to " +
                         std::to_string(kMaxClassIndex));
    if (value.is_array()) {  // one-hot vector
        int label = -1;
        for (std::size_t i = 0; i < value.size(); ++i)
            if (value[i].is_number() && value[i].get<double>() == 1.0) {
                if (label >= 0)
                    label = -2;
                else
                    label = static_cast<int>(i);
            }
        if (label >= 0 && label <= kMaxClassIndex)
            return label;
    }
    throw InputError(where + ": label of " + name + " is " + value.dump() +
                     "; expected a non-negative integer class or a one-hot list");
}

// "top/" when every member lies under that one folder (what `zip -r lesions.zip lesions/` makes), else "".
std::string commonTopFolder(const std::vector<std::string>& members)
{
    if (members.empty())
        return "";
    const auto slash = members.front().find('/');
    if (slash == std::string::npos)
        return "";
    const std::string prefix = members.front().substr(0, slash + 1);
    for (const auto& name : members)
        if (name.rfind(prefix, 0) != 0)
            return "";
    return prefix;
}

DatasetIndex readStyleGanDataset(const fs::path& folderOrZip, const ReadOptions& options)
{
    DatasetIndex index;
    index.root = folderOrZip;
    index.notes.push_back("StyleGAN2-ADA datasets carry no lesion ids: splits are by image");

    std::vector<std::string> names;  // relative member names, '/'-separated
    std::string jsonText;
    const bool isZip = fs::is_regular_file(folderOrZip);
    std::string labelPrefix;  // the top folder that dataset.json's names are relative to
    std::string where = folderOrZip.string() + (isZip ? ":" : "/") + "dataset.json";
    bool hasJson = false;
    if (isZip) {
        ZipArchive archive(folderOrZip);
        index.archivePath = folderOrZip;
        std::vector<std::string> members;  // images and labels files, without macOS' AppleDouble copies
        for (const auto& name : archive.names())
            if (!isPlatformJunk(name))
                members.push_back(name);
        // `zip -r lesions.zip lesions/` puts everything under one top folder: read dataset.json from there.
        const std::string prefix = commonTopFolder(members);
        const std::string jsonName = prefix + "dataset.json";
        for (const auto& name : members)
            if (hasImageExtension(name))
                names.push_back(name);
        if (archive.contains(jsonName)) {
            const auto bytes = archive.read(jsonName);
            jsonText.assign(bytes.begin(), bytes.end());
            hasJson = true;
            where = folderOrZip.string() + ":" + jsonName;
            if (!prefix.empty())
                index.notes.push_back("labels read from " + jsonName + " (every member is under " + prefix + ")");
        }
        labelPrefix = prefix;
    } else {
        for (const auto& file : listImageFiles(folderOrZip, true))
            names.push_back(fs::relative(file, folderOrZip).generic_string());
        std::ifstream in(folderOrZip / "dataset.json");
        hasJson = static_cast<bool>(in);
        jsonText.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::sort(names.begin(), names.end());
    if (names.empty())
        throw InputError("StyleGAN2-ADA dataset " + folderOrZip.string() + " has no images: expected PNG/JPEG members");

    std::map<std::string, int> labels;
    if (hasJson) {
        nlohmann::json json;
        // dataset_tool.py writes three levels; a deeper file is damaged (and printing it would recurse).
        constexpr int kDeepest = 16;
        const nlohmann::json::parser_callback_t limitDepth = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
            if (depth > kDeepest)
                throw InputError(where + " nests deeper than " + std::to_string(kDeepest) +
                                 " levels; expected {\"labels\": [[file, label], ...]}");
            return true;
        };
        try {
            json = nlohmann::json::parse(jsonText, limitDepth);
        } catch (const nlohmann::json::exception& e) {
            throw InputError(where + " is not valid JSON (" + std::string(e.what()) +
                             "); expected an object {\"labels\": [[file, label], ...]}");
        }
        if (!json.is_object())
            throw InputError(where + " is " + std::string(json.is_null() ? "null" : std::string("a JSON ") + json.type_name()) +
                             "; expected an object {\"labels\": [[file, label], ...]} (or {\"labels\": null})");
        if (json.contains("labels") && !json["labels"].is_null()) {
            if (!json["labels"].is_array())
                throw InputError(where + ": 'labels' is not a list; expected [[file, label], ...] or null");
            for (const auto& entry : json["labels"]) {
                if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string())
                    throw InputError(where + ": a labels entry is " + entry.dump() + "; expected [file, label]");
                const auto name = labelPrefix + entry[0].get<std::string>();
                const int label = labelFromJson(entry[1], name, where);
                const auto [it, inserted] = labels.emplace(name, label);
                if (!inserted && it->second != label)
                    throw InputError(where + " lists " + name + " twice, with labels " + std::to_string(it->second) +
                                     " and " + std::to_string(label) + "; expected one label per image (StyleGAN2-ADA "
                                     "has no multi-label classes)");
                if (!inserted)
                    index.notes.push_back(name + " is listed twice in dataset.json with the same label");
            }
        }
        if (json.contains("class_names") && json["class_names"].is_array())
            for (const auto& name : json["class_names"])
                index.classNames.push_back(name.is_string() ? name.get<std::string>() : name.dump());
    }

    int maxLabel = -1;
    for (const auto& [name, label] : labels)
        maxLabel = std::max(maxLabel, label);
    if (!labels.empty()) {
        if (index.classNames.empty())
            for (int c = 0; c <= maxLabel; ++c)
                index.classNames.push_back("class " + std::to_string(c));
        if (static_cast<int>(index.classNames.size()) <= maxLabel)
            throw InputError(where + ": label " + std::to_string(maxLabel) + " but only " +
                             std::to_string(index.classNames.size()) + " class_names; expected one name per class");
    }

    for (const auto& name : names) {
        ImageRecord record;
        record.imageId = fs::path(name).stem().string();
        record.groupId = name;
        record.location = isZip ? name : (folderOrZip / name).string();
        if (!labels.empty()) {
            const auto it = labels.find(name);
            if (it == labels.end()) {
                if (!options.skipBad)
                    throw InputError(where + " has no label for " + name +
                                     "; expected a label for every image (or pass --skip-bad)");
                index.notes.push_back("skipped " + name + ": no label");
                continue;
            }
            record.label = it->second;
        }
        index.records.push_back(std::move(record));
    }
    for (const auto& [name, label] : labels)
        if (!std::binary_search(names.begin(), names.end(), name)) {
            if (!options.skipBad)
                throw InputError(where + " labels " + name + ", which is not in the dataset; expected that image file "
                                 "(or pass --skip-bad)");
            index.notes.push_back("skipped label of " + name + ": no image file");
        }
    if (index.labelled())
        enforceNonEmptyClasses(index, options, where);
    return index;
}

} // namespace

// A .zip file, or a folder with dataset.json.
std::optional<DatasetIndex> detectStyleGanDataset(DatasetProbe& probe, const ReadOptions& options)
{
    std::error_code ec;
    const bool zip = fs::is_regular_file(probe.path, ec) && lowercaseExtension(probe.path) == ".zip";
    if (zip || fs::exists(probe.path / "dataset.json", ec))
        return readStyleGanDataset(probe.path, options);
    return std::nullopt;
}

} // namespace dermgan
