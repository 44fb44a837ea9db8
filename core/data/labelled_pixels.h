#pragma once
// Decoded images with a label each: what the trainer, the classifiers and the two-sample test take, and
// what a loaded subset holds (SubsetImages is one, with its dataset rows).
#include <vector>

#include <torch/types.h>

namespace dermgan {

struct LabelledPixels {
    torch::Tensor pixels;     // uint8 [N, 3, R, R], RGB; undefined before decoding
    std::vector<int> labels;  // per image: a class index 0..C-1, or -1 when unlabelled
};

} // namespace dermgan
