#include "train/real_sampler.h"

#include <numeric>
#include <sstream>

#include "common/errors.h"

namespace dermgan::train {

RealSampler::RealSampler(std::vector<int64_t> labels, int classCount, bool classBalanced, std::uint64_t seed)
    : labels_(std::move(labels)), classCount_(classCount), balanced_(classBalanced && classCount > 0),
      rng_(deriveSeed(seed, 11))
{
    if (labels_.empty())
        throw InputError("no training images: the dataset (or the chosen split/institution) is empty");
    byClass_.resize(static_cast<std::size_t>(std::max(classCount_, 0)));
    for (std::size_t i = 0; i < labels_.size(); ++i)
        if (labels_[i] >= 0 && labels_[i] < classCount_)
            byClass_[static_cast<std::size_t>(labels_[i])].push_back(static_cast<int64_t>(i));
    if (balanced_)
        for (std::size_t c = 0; c < byClass_.size(); ++c)
            if (byClass_[c].empty())
                throw InputError("class " + std::to_string(c) + " has no training images; class-balanced sampling "
                                 "needs at least one per class");
}

std::vector<int64_t> RealSampler::nextBatch(int size)
{
    std::vector<int64_t> batch;
    batch.reserve(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
        if (balanced_) {
            const auto& members = byClass_[uniformBelow(rng_, static_cast<std::uint64_t>(classCount_))];
            batch.push_back(members[uniformBelow(rng_, members.size())]);
            continue;
        }
        if (position_ >= order_.size()) {
            order_.resize(labels_.size());
            std::iota(order_.begin(), order_.end(), int64_t{0});
            shuffleInPlace(order_, rng_);
            position_ = 0;
        }
        batch.push_back(order_[position_++]);
    }
    return batch;
}

std::vector<int64_t> RealSampler::fakeLabels(int size)
{
    std::vector<int64_t> classes(static_cast<std::size_t>(size), -1);
    if (classCount_ <= 0)
        return classes;
    for (auto& c : classes)
        c = balanced_ ? static_cast<int64_t>(uniformBelow(rng_, static_cast<std::uint64_t>(classCount_)))
                      : labels_[uniformBelow(rng_, labels_.size())];
    return classes;
}

std::string RealSampler::state() const
{
    std::ostringstream out;
    out << rng_ << '\n' << position_ << ' ' << order_.size();
    for (auto index : order_)
        out << ' ' << index;
    return out.str();
}

void RealSampler::restore(const std::string& state)
{
    std::istringstream in(state);
    std::size_t count = 0;
    in >> rng_ >> position_ >> count;
    order_.assign(count, 0);
    for (auto& index : order_)
        in >> index;
    if (!in || position_ > order_.size())
        throw InputError("snapshot has a corrupt sampler state");
}

} // namespace dermgan::train
