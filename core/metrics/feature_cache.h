#pragma once
// Feature matrices are what every distribution metric reads, and extracting them is the slow part (a CNN
// over 10k images). They are cached on disk under the cache folder (see image_store.h), keyed by the
// extractor's weights and the exact pixels (or the exact generation request), so recomputing a metric on
// the same sets takes seconds.
#include <filesystem>
#include <functional>
#include <string>

#include <torch/types.h>

#include "common/progress.h"
#include "metrics/feature_extractor.h"

namespace dermgan::metrics {

// 16 hex digits over a tensor's bytes (uint8 images: content identity).
std::string tensorHash(const torch::Tensor& t);

// The features of `pixels` under `extractor`, from the cache when there. `sourceKey` must identify the
// images (e.g. tensorHash(pixels), or a generation request); `pixels` is called only on a cache miss.
torch::Tensor cachedFeatures(FeatureExtractor& extractor, const std::string& sourceKey,
                             const std::function<torch::Tensor()>& pixels, const ProgressCallback& progress = {},
                             bool useCache = true);

} // namespace dermgan::metrics
