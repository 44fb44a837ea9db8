#include "explain/map_methods.h"

#include "common/word_list.h"

namespace dermgan::explain {

const std::vector<MapMethodInfo>& mapMethods()
{
    static const std::vector<MapMethodInfo> methods{
        {"umap", "UMAP", "UMAP (McInnes et al. 2018, as umap-learn): keeps neighbourhoods and more of the global layout"},
        {"tsne", "t-SNE", "Barnes-Hut t-SNE (van der Maaten 2014): keeps neighbourhoods; distances between clusters mean little"},
        {"pca", "PCA", "the first two principal components: linear, deterministic, global distances kept"},
    };
    return methods;
}

const MapMethodInfo* findMapMethod(const std::string& name)
{
    for (const auto& method : mapMethods())
        if (method.name == name)
            return &method;
    return nullptr;
}

std::string mapMethodNameList()
{
    std::vector<std::string> names;
    for (const auto& method : mapMethods())
        names.push_back(method.name);
    return orList(names);
}

} // namespace dermgan::explain
