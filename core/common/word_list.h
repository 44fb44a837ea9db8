#pragma once
// Names joined for messages and help texts: "umap, tsne or pca".
#include <string>
#include <vector>

namespace dermgan {

inline std::string orList(const std::vector<std::string>& names)
{
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i)
        list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return list;
}

} // namespace dermgan
