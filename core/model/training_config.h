#pragma once
// Everything that defines a training run, stored in training_options.json and inside every snapshot so
// that a run can be resumed and a model's card can say how it was made. Defaults follow the reference
// StyleGAN2-ADA 'auto' configuration where it fits a CPU (see README for the differences).
#include <string>

#include <nlohmann/json.hpp>

#include "nets/network_config.h"

namespace dermgan::train {

struct TrainingConfig {
    nets::NetworkConfig network;
    std::string dataset;            // the dataset path as given
    std::string subset = "train";   // "train" (lesion-grouped split) or "all"
    std::uint64_t splitSeed = 0;    // seed of the train/val/test split
    int institution = -1;           // train on one institution's share only (-1 = all)
    int batch = 32;
    double kimg = 50.0;             // total length in thousands of real images shown to D
    double lrG = 0.0025, lrD = 0.0025;
    double beta1 = 0.0, beta2 = 0.99;
    double r1Gamma = -1.0;          // < 0: the reference heuristic 0.0002 * resolution^2 / batch
    int r1Interval = 16;            // lazy R1 every 16 D steps
    double plWeight = 0.0;          // path-length regularisation (reference: 2); 0 = off, the CPU default
    int plInterval = 4;
    double styleMixing = 0.9;       // probability of mixing two latents during training
    double emaKimg = 10.0;          // G_ema half-life (reference: batch * 10 / 32)
    double emaRampup = 0.05;        // half-life ramps up to emaKimg over the first kimg / 0.05
    std::string augment = "bgc";    // ADA groups, or "none"
    // Geometric ADA resampling: "bilinear" (one pass; fast on a CPU) or "wavelet" (the reference's 2x sym6
    // up/down around the bilinear pass, which keeps fine texture under fractional shifts; 5-10x the cost).
    std::string adaResample = "bilinear";
    double augmentTarget = 0.6;
    int adaInterval = 4;
    double adaKimg = 100.0;         // kimg for p to move by 1 (reference 500: shorter runs need faster adaptation)
    double augmentP = 0.0;          // initial p
    bool mirror = true;             // random x-flips of the reals
    bool classBalanced = false;     // sample reals (and fake classes) uniformly per class
    std::uint64_t seed = 0;         // network init, latents, sampling
    double tickKimg = 1.0;          // how often a stats line is written
    double snapshotKimg = 10.0;     // how often a snapshot and a sample grid are written
    std::string outDir = "training-runs/run";
    int threads = 0;                // 0 = one per core
    std::string device = "auto";

    double effectiveR1Gamma() const;
    // Throws InputError naming the first bad field and its expected range.
    void validate() const;
};

// The ADA groups that a config's `augment` string turns on (train::AugmentSpec adds their strengths).
struct AugmentGroups {
    bool blit = true;       // xflip, rotate90, integer translation
    bool geometric = true;  // scaling, rotation, anisotropy, fractional translation
    bool color = true;      // brightness, contrast, luma flip, hue, saturation
};
// "bgc" (all), "bg", "b", ..., or "none". InputError naming the string and the letters expected.
AugmentGroups parseAugmentGroups(const std::string& groups);

void to_json(nlohmann::json& json, const TrainingConfig& config);
void from_json(const nlohmann::json& json, TrainingConfig& config);

} // namespace dermgan::train
