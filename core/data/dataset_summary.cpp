#include "data/dataset_summary.h"

#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace dermgan {

namespace {

// Number of groups whose images carry more than one value of `key(row)`.
template <typename Key>
std::size_t groupsSpanning(const DatasetIndex& index, Key key)
{
    std::map<std::string, std::set<int>> values;
    for (std::size_t row = 0; row < index.records.size(); ++row)
        values[index.records[row].groupId].insert(key(row));
    std::size_t crossing = 0;
    for (const auto& [group, set] : values)
        crossing += set.size() > 1 ? 1 : 0;
    return crossing;
}

} // namespace

nlohmann::ordered_json datasetSummaryJson(const DatasetIndex& index)
{
    nlohmann::ordered_json json;
    json["format"] = index.layout;
    json["path"] = index.root.string();
    json["images"] = index.records.size();
    json["groups"] = index.groupCount();
    json["group_kind"] = index.groupKind;
    json["classes"] = nlohmann::ordered_json::array();
    const auto counts = index.classCounts();
    for (std::size_t c = 0; c < index.classNames.size(); ++c)
        json["classes"].push_back({{"name", index.classNames[c]}, {"label", c}, {"images", counts[c]}});
    json["notes"] = index.notes;
    return json;
}

std::string datasetSummaryText(const DatasetIndex& index)
{
    std::ostringstream out;
    out << "dataset  " << index.root.string() << " (" << index.layout << ")\n"
        << "images   " << index.records.size() << "\n"
        << "groups   " << index.groupCount() << " (" << index.groupKind << ")\n";
    if (index.labelled()) {
        out << "classes  " << index.classNames.size() << "\n";
        const auto counts = index.classCounts();
        for (std::size_t c = 0; c < counts.size(); ++c)
            out << "  " << std::left << std::setw(12) << index.classNames[c] << std::right << std::setw(7) << counts[c]
                << std::setw(8) << std::fixed << std::setprecision(1)
                << 100.0 * static_cast<double>(counts[c]) / static_cast<double>(index.records.size()) << "%\n";
    } else {
        out << "classes  none (unlabelled: unconditional training only)\n";
    }
    for (const auto& note : index.notes)
        out << "note: " << note << "\n";
    return out.str();
}

nlohmann::json splitSummaryJson(const DatasetIndex& index, const SplitAssignment& split)
{
    nlohmann::json json;
    json["seed"] = split.seed;
    json["images"] = index.records.size();
    json["groups"] = index.groupCount();
    json["groups_in_two_subsets"] =
        groupsSpanning(index, [&](std::size_t row) { return static_cast<int>(split.subset[row]); });
    json["groups_in_two_institutions"] = groupsSpanning(index, [&](std::size_t row) { return split.institution[row]; });

    const std::size_t classCount = std::max<std::size_t>(1, index.classNames.size());
    for (Subset subset : {Subset::Train, Subset::Val, Subset::Test}) {
        std::vector<std::size_t> perClass(classCount, 0);
        std::set<std::string> groups;
        std::size_t images = 0;
        for (std::size_t row : rowsOf(split, subset)) {
            ++images;
            groups.insert(index.records[row].groupId);
            ++perClass[static_cast<std::size_t>(std::max(0, index.records[row].label))];
        }
        json["subsets"][subsetName(subset)] = {{"images", images}, {"groups", groups.size()}, {"per_class", perClass}};
    }
    json["institutions"] = nlohmann::json::array();
    for (std::size_t site = 0; site < split.institutionCount; ++site) {
        nlohmann::json entry{{"institution", site}};
        std::set<std::string> groups;
        std::vector<std::size_t> perClass(classCount, 0);
        std::size_t images = 0;
        for (std::size_t row = 0; row < index.records.size(); ++row) {
            if (split.institution[row] != static_cast<int>(site))
                continue;
            ++images;
            groups.insert(index.records[row].groupId);
            ++perClass[static_cast<std::size_t>(std::max(0, index.records[row].label))];
        }
        entry["images"] = images;
        entry["groups"] = groups.size();
        entry["per_class"] = perClass;
        for (Subset subset : {Subset::Train, Subset::Val, Subset::Test})
            entry[subsetName(subset) + "_images"] = rowsOf(split, subset, static_cast<int>(site)).size();
        json["institutions"].push_back(entry);
    }
    json["class_names"] = index.classNames;
    return json;
}

std::string splitSummaryText(const DatasetIndex& index, const SplitAssignment& split)
{
    const auto json = splitSummaryJson(index, split);
    std::ostringstream out;
    out << "split of " << index.records.size() << " images / " << json["groups"].get<std::size_t>() << " "
        << index.groupKind << " groups, seed " << split.seed << "\n\n";
    out << std::left << std::setw(10) << "subset" << std::right << std::setw(8) << "images" << std::setw(8) << "groups";
    const std::size_t classCount = std::max<std::size_t>(1, index.classNames.size());
    for (std::size_t c = 0; c < classCount; ++c)
        out << std::setw(8) << (index.labelled() ? index.classNames[c] : std::string("all"));
    out << "\n";
    for (const char* name : {"train", "val", "test"}) {
        const auto& subset = json["subsets"][name];
        out << std::left << std::setw(10) << name << std::right << std::setw(8) << subset["images"].get<std::size_t>()
            << std::setw(8) << subset["groups"].get<std::size_t>();
        for (const auto& count : subset["per_class"])
            out << std::setw(8) << count.get<std::size_t>();
        out << "\n";
    }
    out << "\n" << std::left << std::setw(12) << "institution" << std::right << std::setw(8) << "images" << std::setw(8)
        << "groups" << std::setw(8) << "share" << std::setw(8) << "train" << std::setw(8) << "val" << std::setw(8)
        << "test" << "\n";
    for (const auto& site : json["institutions"]) {
        out << std::left << std::setw(12) << site["institution"].get<std::size_t>() << std::right << std::setw(8)
            << site["images"].get<std::size_t>() << std::setw(8) << site["groups"].get<std::size_t>() << std::setw(7)
            << std::fixed << std::setprecision(1)
            << 100.0 * site["groups"].get<double>() / json["groups"].get<double>() << "%" << std::setw(8)
            << site["train_images"].get<std::size_t>() << std::setw(8) << site["val_images"].get<std::size_t>()
            << std::setw(8) << site["test_images"].get<std::size_t>() << "\n";
    }
    out << "\n" << index.groupKind << " groups in two subsets: " << json["groups_in_two_subsets"].get<std::size_t>()
        << ", in two institutions: " << json["groups_in_two_institutions"].get<std::size_t>() << "\n";
    return out.str();
}

} // namespace dermgan
