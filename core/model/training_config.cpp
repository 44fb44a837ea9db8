#include "model/training_config.h"

#include "common/errors.h"

namespace dermgan::train {

double TrainingConfig::effectiveR1Gamma() const
{
    if (r1Gamma >= 0.0)
        return r1Gamma;
    return 0.0002 * network.resolution * network.resolution / batch;
}

void TrainingConfig::validate() const
{
    network.validate();
    auto require = [](bool ok, const std::string& what) {
        if (!ok)
            throw InputError(what);
    };
    require(batch >= 2 && batch <= 4096, "batch is " + std::to_string(batch) + "; expected 2 to 4096");
    require(batch % std::min(batch, network.mbstdGroupSize) == 0,
            "batch " + std::to_string(batch) + " is not a multiple of the minibatch-stddev group size " +
                std::to_string(network.mbstdGroupSize));
    require(kimg > 0.0, "kimg must be positive");
    require(lrG > 0.0 && lrD > 0.0, "learning rates must be positive");
    require(beta1 >= 0.0 && beta1 < 1.0 && beta2 >= 0.0 && beta2 < 1.0, "Adam betas must be in [0, 1)");
    require(r1Interval >= 1 && plInterval >= 1 && adaInterval >= 1, "regularisation intervals must be at least 1");
    require(plWeight >= 0.0, "path-length weight must be >= 0");
    require(styleMixing >= 0.0 && styleMixing <= 1.0, "style mixing probability must be in [0, 1]");
    require(emaKimg >= 0.0 && emaRampup >= 0.0, "EMA settings must be >= 0");
    require(augmentTarget >= -1.0 && augmentTarget <= 1.0, "augmentation target must be in [-1, 1]");
    require(augmentP >= 0.0 && augmentP <= 1.0, "initial augmentation probability must be in [0, 1]");
    require(adaKimg > 0.0, "ada-kimg must be positive");
    require(tickKimg > 0.0 && snapshotKimg > 0.0, "tick and snapshot intervals must be positive");
    require(subset == "train" || subset == "all", "subset is '" + subset + "'; expected train or all");
    parseAugmentGroups(augment);
    require(adaResample == "bilinear" || adaResample == "wavelet",
            "ADA resampling '" + adaResample + "' is not known; expected bilinear or wavelet");
}

AugmentGroups parseAugmentGroups(const std::string& groups)
{
    if (groups == "none")
        return {false, false, false};
    for (char c : groups)
        if (c != 'b' && c != 'g' && c != 'c')
            throw InputError("augmentation '" + groups + "' is not known; expected letters of 'bgc' (blit, geometric, "
                             "colour) or 'none'");
    return {groups.find('b') != std::string::npos, groups.find('g') != std::string::npos,
            groups.find('c') != std::string::npos};
}

void to_json(nlohmann::json& j, const TrainingConfig& c)
{
    j = {{"network", c.network},       {"dataset", c.dataset},         {"subset", c.subset},
         {"split_seed", c.splitSeed},  {"institution", c.institution}, {"batch", c.batch},
         {"kimg", c.kimg},             {"lr_g", c.lrG},                {"lr_d", c.lrD},
         {"beta1", c.beta1},           {"beta2", c.beta2},             {"r1_gamma", c.effectiveR1Gamma()},
         {"r1_interval", c.r1Interval}, {"pl_weight", c.plWeight},     {"pl_interval", c.plInterval},
         {"style_mixing", c.styleMixing}, {"ema_kimg", c.emaKimg},     {"ema_rampup", c.emaRampup},
         {"augment", c.augment},       {"ada_resample", c.adaResample}, {"augment_target", c.augmentTarget},
         {"ada_interval", c.adaInterval},
         {"ada_kimg", c.adaKimg},      {"augment_p", c.augmentP},      {"mirror", c.mirror},
         {"class_balanced", c.classBalanced}, {"seed", c.seed},        {"tick_kimg", c.tickKimg},
         {"snapshot_kimg", c.snapshotKimg}, {"out_dir", c.outDir},     {"threads", c.threads},
         {"device", c.device}};
}

void from_json(const nlohmann::json& j, TrainingConfig& c)
{
    const TrainingConfig d;
    c.network = j.at("network").get<nets::NetworkConfig>();
    c.dataset = j.value("dataset", d.dataset);
    c.subset = j.value("subset", d.subset);
    c.splitSeed = j.value("split_seed", d.splitSeed);
    c.institution = j.value("institution", d.institution);
    c.batch = j.value("batch", d.batch);
    c.kimg = j.value("kimg", d.kimg);
    c.lrG = j.value("lr_g", d.lrG);
    c.lrD = j.value("lr_d", d.lrD);
    c.beta1 = j.value("beta1", d.beta1);
    c.beta2 = j.value("beta2", d.beta2);
    c.r1Gamma = j.value("r1_gamma", d.r1Gamma);
    c.r1Interval = j.value("r1_interval", d.r1Interval);
    c.plWeight = j.value("pl_weight", d.plWeight);
    c.plInterval = j.value("pl_interval", d.plInterval);
    c.styleMixing = j.value("style_mixing", d.styleMixing);
    c.emaKimg = j.value("ema_kimg", d.emaKimg);
    c.emaRampup = j.value("ema_rampup", d.emaRampup);
    c.augment = j.value("augment", d.augment);
    c.adaResample = j.value("ada_resample", d.adaResample);  // older snapshots: bilinear, what they used
    c.augmentTarget = j.value("augment_target", d.augmentTarget);
    c.adaInterval = j.value("ada_interval", d.adaInterval);
    c.adaKimg = j.value("ada_kimg", d.adaKimg);
    c.augmentP = j.value("augment_p", d.augmentP);
    c.mirror = j.value("mirror", d.mirror);
    c.classBalanced = j.value("class_balanced", d.classBalanced);
    c.seed = j.value("seed", d.seed);
    c.tickKimg = j.value("tick_kimg", d.tickKimg);
    c.snapshotKimg = j.value("snapshot_kimg", d.snapshotKimg);
    c.outDir = j.value("out_dir", d.outDir);
    c.threads = j.value("threads", d.threads);
    c.device = j.value("device", d.device);
}

} // namespace dermgan::train
