#pragma once
// Which diagnosis a dataset on disk gives one image file: lets a view pre-select the class of a real image
// the user opens from a dataset folder, instead of asking for what the metadata already says.
#include <filesystem>
#include <optional>
#include <string>

namespace dermgan {

struct ImageLabel {
    std::string className;          // e.g. "mel"
    std::filesystem::path dataset;  // the folder that reads as a labelled dataset listing the image
};

// Looks at the image's folder and up to `levels` folders above it, nearest first, for one that holds a
// metadata table or dataset.json and reads as a labelled dataset (HAM10000, ISIC, StyleGAN2-ADA folder)
// listing this very file; returns its class. Empty when none does (no error: an image from anywhere is
// allowed). Reads metadata and folder listings only, never pixels.
std::optional<ImageLabel> findImageLabel(const std::filesystem::path& image, int levels = 2);

} // namespace dermgan
