#pragma once
// The methods that map vectors to 2-D, one row each in the order the explorer offers them: the name that
// `embed --method` and map files use, the label figures show, and one line of help. `embed`'s option check
// and help, the Map tab's method list and figure titles enumerate this table; the computation is a row of
// kComputations in explain/map_input.cpp, and test_explain checks that every method here has one. Torch-free, so that
// widget files can include it.
#include <string>
#include <vector>

namespace dermgan::explain {

struct MapMethodInfo {
    std::string name;   // "umap"
    std::string label;  // "UMAP"
    std::string help;
};

const std::vector<MapMethodInfo>& mapMethods();
// nullptr for an unknown name.
const MapMethodInfo* findMapMethod(const std::string& name);
// "umap, tsne or pca"
std::string mapMethodNameList();

} // namespace dermgan::explain
