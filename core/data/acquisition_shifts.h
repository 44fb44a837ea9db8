#pragma once
// Changes of acquisition that separate one dermoscopy source from another: the illuminant's colour
// temperature, the exposure, a zoomed-out field with the dark round vignette of a contact dermatoscope,
// a lower optical resolution, JPEG re-compression, and hairs over the lesion. The same functions serve two
// jobs, at two strengths:
// - stress tests (`stressTests()`): one fixed, realistic severity each, applied to a labelled test set to
//   measure how far a classifier's scores drop (`dermgan classify --evaluate --stress`);
// - training augmentation (`randomAcquisition`): random severities, so that the derm network does not learn
//   HAM10000's framing and colour as if they were the lesion.
// Every function takes one image, float [3, R, R] in [-1, 1] (R >= 8), and returns a new one of the same
// shape and range; the input is never modified. Stress-test design after the robustness studies of
// dermoscopy classifiers (Maron et al. 2021, "A benchmark for neural network robustness in skin cancer
// classification"; hair as in DullRazor's hair model, Lee et al. 1997).
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "common/random.h"

namespace dermgan {

// `shift` in [-1, 1]: > 0 warmer (red gain 1 + 0.5 shift, blue gain 1 - 0.5 shift), < 0 cooler. A
// halogen-vs-LED difference is about |shift| = 0.3.
torch::Tensor shiftColourTemperature(const torch::Tensor& image, double shift);

// Exposure: out = gain * in^gamma on [0, 1] intensities (gain 0.6 = under-exposed, gamma > 1 darkens mid-tones).
torch::Tensor shiftIllumination(const torch::Tensor& image, double gain, double gamma);

// The field of view widened: the image shrunk to `scale` (0 < scale <= 1) of its side in the centre, the
// surround filled with the skin colour of the image's border, and a dark circular vignette (radius `vignette` of the side, 0 = none)
// outside which the image fades to near black, as a contact dermatoscope images it.
torch::Tensor zoomOut(const torch::Tensor& image, double scale, double vignette);

// A lower optical resolution: area-downsampled by `factor` (> 1) and bilinearly upsampled back.
torch::Tensor lowerResolution(const torch::Tensor& image, double factor);

// Encoded as a baseline JPEG at `quality` (1-100, libjpeg's scale through OpenCV) and decoded again.
torch::Tensor recompressJpeg(const torch::Tensor& image, int quality);

// `count` dark hairs: quadratic curves across the image, about 1/64 of the side thick, dark brown.
torch::Tensor drawHairs(const torch::Tensor& image, int count, Rng& rng);

// A random mix of the above for training (each applied with its own probability and a random severity),
// plus nothing else: flips, turns and shifts stay with the classifier's own augmentation.
torch::Tensor randomAcquisition(const torch::Tensor& image, Rng& rng);

struct StressTest {
    std::string name;         // "warm_light", "zoom_out_vignette", ...: report keys
    std::string description;  // what it simulates, with its severity
    std::function<torch::Tensor(const torch::Tensor&, Rng&)> apply;
};

// The fixed stress tests, in report order.
std::vector<StressTest> stressTests();

// `test` applied to every image of uint8 [N, 3, R, R] pixels, image i with the random stream
// deriveSeed(seed, i) (so hairs are the same on every run); returns uint8 pixels of the same shape.
torch::Tensor applyStressTest(const StressTest& test, const torch::Tensor& pixels, std::uint64_t seed);

} // namespace dermgan
