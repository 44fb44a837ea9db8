#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "common/errors.h"
#include "common/random.h"
#include "data/csv_table.h"
#include "io/atomic_file.h"

namespace dermgan {

std::string subsetName(Subset subset)
{
    switch (subset) {
    case Subset::Train: return "train";
    case Subset::Val: return "val";
    case Subset::Test: return "test";
    }
    return "?";
}

namespace {

struct Group {
    std::string id;
    int label = -1;
    std::vector<std::size_t> rows;
};

std::vector<double> normalised(std::vector<double> weights, const std::string& what)
{
    double sum = 0.0;
    for (double w : weights) {
        if (!(w >= 0.0) || !std::isfinite(w))
            throw InputError(what + " must be non-negative numbers");
        sum += w;
    }
    if (sum <= 0.0)
        throw InputError(what + " add up to 0; expected at least one positive value");
    for (double& w : weights)
        w /= sum;
    return weights;
}

// Splits n items into parts with the given shares by the largest-remainder method, then lends one item to
// any part with a positive share that got none, so that small classes still reach every part.
std::vector<std::size_t> apportion(std::size_t n, const std::vector<double>& shares)
{
    const std::size_t k = shares.size();
    std::vector<std::size_t> counts(k, 0);
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t assigned = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const double exact = shares[i] * static_cast<double>(n);
        counts[i] = static_cast<std::size_t>(std::floor(exact));
        assigned += counts[i];
        remainders.emplace_back(exact - std::floor(exact), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; assigned < n; ++i, ++assigned)
        ++counts[remainders[i % k].second];
    for (std::size_t i = 0; i < k; ++i) {
        if (shares[i] <= 0.0 || counts[i] > 0)
            continue;
        const auto donor = static_cast<std::size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
        if (counts[donor] > 1) {
            --counts[donor];
            ++counts[i];
        }
    }
    return counts;
}

std::vector<Group> groupsOf(const DatasetIndex& index)
{
    std::map<std::string, std::size_t> position;
    std::vector<Group> groups;
    for (std::size_t row = 0; row < index.records.size(); ++row) {
        const auto& record = index.records[row];
        auto [it, inserted] = position.emplace(record.groupId, groups.size());
        if (inserted)
            groups.push_back({record.groupId, record.label, {}});
        groups[it->second].rows.push_back(row);
    }
    // A lesion's class for stratification is its most frequent label (HAM10000 lesions have one).
    for (auto& group : groups) {
        std::map<int, int> votes;
        for (std::size_t row : group.rows)
            ++votes[index.records[row].label];
        group.label = std::max_element(votes.begin(), votes.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; })->first;
    }
    return groups;
}

// Deals the groups of each class (shuffled by `rng`) into parts with the given shares; `sharesOf(label)`
// gives each class's shares.
template <typename SharesOf>
std::vector<int> dealByClass(const std::vector<Group>& groups, Rng& rng, SharesOf sharesOf)
{
    std::map<int, std::vector<std::size_t>> byClass;
    for (std::size_t g = 0; g < groups.size(); ++g)
        byClass[groups[g].label].push_back(g);
    std::vector<int> part(groups.size(), 0);
    for (auto& [label, members] : byClass) {
        shuffleInPlace(members, rng);
        const auto counts = apportion(members.size(), sharesOf(label));
        std::size_t next = 0;
        for (std::size_t p = 0; p < counts.size(); ++p)
            for (std::size_t i = 0; i < counts[p]; ++i)
                part[members[next++]] = static_cast<int>(p);
    }
    return part;
}

} // namespace

SplitAssignment assignSplits(const DatasetIndex& index, const SplitFractions& fractions,
                             const InstitutionSpec& institutions, std::uint64_t seed)
{
    if (index.records.empty())
        throw InputError("dataset " + index.root.string() + " is empty: nothing to split");
    const auto subsetShares = normalised({fractions.train, fractions.val, fractions.test}, "split fractions");
    if (institutions.proportions.empty())
        throw InputError("institution proportions are empty; expected one share per institution");
    const auto siteShares = normalised(institutions.proportions, "institution proportions");
    if (institutions.labelSkewAlpha < 0.0 || !std::isfinite(institutions.labelSkewAlpha))
        throw InputError("label skew alpha is " + std::to_string(institutions.labelSkewAlpha) +
                         "; expected 0 (no skew) or a positive Dirichlet concentration");

    const auto groups = groupsOf(index);
    SplitAssignment split;
    split.seed = seed;
    split.institutionCount = siteShares.size();
    split.subset.assign(index.records.size(), Subset::Train);
    split.institution.assign(index.records.size(), 0);

    Rng subsetRng(deriveSeed(seed, 1));
    const auto subsetOfGroup = dealByClass(groups, subsetRng, [&](int) { return subsetShares; });

    Rng siteRng(deriveSeed(seed, 2));
    Rng skewRng(deriveSeed(seed, 3));
    std::map<int, std::vector<double>> skewedShares;
    const auto siteOfGroup = dealByClass(groups, siteRng, [&](int label) {
        if (institutions.labelSkewAlpha == 0.0)
            return siteShares;
        auto& shares = skewedShares[label];
        if (shares.empty()) {
            std::vector<double> alpha;
            for (double share : siteShares)
                alpha.push_back(std::max(1e-3, institutions.labelSkewAlpha * siteShares.size() * share));
            shares = dirichletSample(skewRng, alpha);
        }
        return shares;
    });

    for (std::size_t g = 0; g < groups.size(); ++g)
        for (std::size_t row : groups[g].rows) {
            split.subset[row] = static_cast<Subset>(subsetOfGroup[g]);
            split.institution[row] = siteOfGroup[g];
        }
    return split;
}

std::vector<std::size_t> rowsOf(const SplitAssignment& split, Subset subset, int institution)
{
    std::vector<std::size_t> rows;
    for (std::size_t row = 0; row < split.subset.size(); ++row)
        if (split.subset[row] == subset && (institution < 0 || split.institution[row] == institution))
            rows.push_back(row);
    return rows;
}

void writeSplitCsv(const std::filesystem::path& path, const DatasetIndex& index, const SplitAssignment& split)
{
    std::ostringstream out;
    out << "image_id,lesion_id,label,class,split,institution\n";
    for (std::size_t row = 0; row < index.records.size(); ++row) {
        const auto& record = index.records[row];
        const std::string className =
            record.label >= 0 ? index.classNames[static_cast<std::size_t>(record.label)] : std::string();
        out << csvField(record.imageId) << ',' << csvField(record.groupId) << ',' << record.label << ','
            << csvField(className) << ',' << subsetName(split.subset[row]) << ',' << split.institution[row] << '\n';
    }
    writeTextFileAtomically(path, out.str());
}

} // namespace dermgan
