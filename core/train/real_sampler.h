#pragma once
// Which real images go into each batch, and which classes the fakes get. Epoch-shuffled by default;
// class-balanced sampling (uniform class, then uniform image) counters HAM10000's 67% nevi. Its state is
// plain data, saved in snapshots so that a resumed run draws the same batches as an uninterrupted one.
#include <cstdint>
#include <string>
#include <vector>

#include "common/random.h"

namespace dermgan::train {

class RealSampler {
public:
    // labels: one per image, -1 everywhere for unlabelled data.
    RealSampler(std::vector<int64_t> labels, int classCount, bool classBalanced, std::uint64_t seed);

    std::vector<int64_t> nextBatch(int size);
    // Classes for generated images: those of random real images, or uniform when class-balanced.
    std::vector<int64_t> fakeLabels(int size);

    std::string state() const;
    void restore(const std::string& state);

private:
    std::vector<int64_t> labels_;
    int classCount_;
    bool balanced_;
    Rng rng_;
    std::vector<int64_t> order_;
    std::size_t position_ = 0;
    std::vector<std::vector<int64_t>> byClass_;
};

} // namespace dermgan::train
