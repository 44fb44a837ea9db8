#pragma once
// Lesion-grouped, class-stratified, seeded splits, and the partition of a dataset into institutions.
// Several HAM10000 images show the same lesion: every image of a lesion lands in the same subset and the
// same institution, otherwise test scores measure recall of a lesion already seen in training.
// The same seed gives the same assignment on every machine (see common/random.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace dermgan {

enum class Subset { Train = 0, Val = 1, Test = 2 };
std::string subsetName(Subset subset);

struct SplitFractions {
    double train = 0.70;
    double val = 0.15;
    double test = 0.15;
};

// The study's decentralized setting: three hospitals of unequal size (about 6%, 31% and 63% of lesions).
struct InstitutionSpec {
    std::vector<double> proportions{0.06, 0.31, 0.63};
    // 0 = none: every institution gets each class in its overall proportion. Otherwise the concentration of
    // a Dirichlet draw per class (mean = proportions): smaller values give more label skew between sites.
    double labelSkewAlpha = 0.0;
};

struct SplitAssignment {
    std::uint64_t seed = 0;
    std::vector<Subset> subset;    // per DatasetIndex::records row
    std::vector<int> institution;  // per row, 0-based
    std::size_t institutionCount = 0;
};

// Throws InputError when fractions or proportions are negative, all zero, or NaN.
SplitAssignment assignSplits(const DatasetIndex& index, const SplitFractions& fractions,
                             const InstitutionSpec& institutions, std::uint64_t seed);

// Rows of `index` in `subset`, optionally only those of one institution (-1 = all).
std::vector<std::size_t> rowsOf(const SplitAssignment& split, Subset subset, int institution = -1);

// image_id,lesion_id,label,class,split,institution — one line per image, written atomically.
void writeSplitCsv(const std::filesystem::path& path, const DatasetIndex& index, const SplitAssignment& split);

} // namespace dermgan
