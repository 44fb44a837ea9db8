// Writes the seed corpus of every fuzz target, made in code (no downloaded or patient data): valid inputs
// of each format, so that libFuzzer starts from files the parsers accept and mutates them from there.
// usage: make_fuzz_seeds OUT   (writes OUT/<target>/<name> for the targets of tests/fuzz/CMakeLists.txt)
#include <fstream>
#include <iostream>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "explain/latent_directions.h"
#include "metrics/reader_study.h"
#include "fuzz_support.h"
#include "explain/latent_recipe.h"
#include "io/npy.h"
#include "io/tagged_archive.h"
#include "io/zip_archive.h"
#include "model/classifier_file.h"
#include "model/snapshot.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace dermgan;

namespace {

void writeBytes(const fs::path& path, const std::vector<std::uint8_t>& bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void writeText(const fs::path& path, const std::string& text)
{
    writeBytes(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::vector<std::uint8_t> readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> encoded(const std::string& extension, const cv::Mat& image)
{
    std::vector<std::uint8_t> bytes;
    cv::imencode(extension, image, bytes);
    return bytes;
}

// A small lesion-like picture: a dark disc on skin colour.
cv::Mat lesion(int side)
{
    cv::Mat image(side, side, CV_8UC3, cv::Scalar(150, 170, 220));
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            if ((x - side / 2) * (x - side / 2) + (y - side / 2) * (y - side / 2) < side * side / 9)
                image.at<cv::Vec3b>(y, x) = cv::Vec3b(60, 50, 90);
    return image;
}

void images(const fs::path& out)
{
    const auto jpeg = encoded(".jpg", lesion(24));
    writeBytes(out / "lesion.png", encoded(".png", lesion(20)));
    writeBytes(out / "lesion.jpg", jpeg);
    writeBytes(out / "lesion.bmp", encoded(".bmp", lesion(12)));
    cv::Mat grey16(8, 8, CV_16UC1, cv::Scalar(0x8080));
    writeBytes(out / "grey16.png", encoded(".png", grey16));
    cv::Mat alpha(8, 8, CV_8UC4, cv::Scalar(1, 2, 3, 4));
    writeBytes(out / "alpha.png", encoded(".png", alpha));
    // The same JPEG with an EXIF Orientation of 6.
    std::vector<std::uint8_t> exif = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0,
                                      1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
    auto rotated = jpeg;
    rotated.insert(rotated.begin() + 2, exif.begin(), exif.end());
    writeBytes(out / "rotated.jpg", rotated);
}

void tables(const fs::path& out)
{
    writeText(out / "ham.csv", "lesion_id,image_id,dx,dx_type,age,sex,localization\nHAM_1,ISIC_0000000,nv,histo,45.0,male,back\n");
    writeText(out / "ham.tab", "lesion_id\timage_id\tdx\n\"HAM_1\"\t\"ISIC_0000000\"\t\"mel\"\n");
    writeText(out / "isic-onehot.csv", "image,MEL,NV,BCC\nISIC_0000000,0.0,1.0,0.0\n");
    writeText(out / "isic-target.csv", "image_name,patient_id,target\nISIC_0000000,IP_1,1\n");
    writeText(out / "semicolons.csv", "image_id;dx;lesion_id\nISIC_0000000;bkl;HAM_2\n");
}

void datasetZips(const fs::path& out)
{
    ZipWriter labelled;
    labelled.add("00000/img00000000.png", encoded(".png", lesion(16)));
    labelled.add("00000/img00000001.jpg", encoded(".jpg", lesion(16)));
    labelled.add("dataset.json", std::string(R"({"labels": [["00000/img00000000.png", 0], ["00000/img00000001.jpg", 1]],)"
                                             R"( "class_names": ["nv", "mel"]})"));
    labelled.save(out / "labelled.zip");
    ZipWriter nested;
    nested.add("lesions/dataset.json", std::string(R"({"labels": null})"));
    nested.add("lesions/00000/a.png", encoded(".png", lesion(16)));
    nested.add("__MACOSX/lesions/00000/._a.png", std::string("AppleDouble"));
    nested.save(out / "nested.zip");
}

void models(const fs::path& out, const fs::path& jsonOut, const fs::path& mapOut)
{
    fs::create_directories(out);
    fuzz::writeTinyGenerator(out / "tiny.dermgan");
    const GeneratorModel model = loadGeneratorModel(out / "tiny.dermgan", c10::kCPU);
    // One byte in front picks the reader (0: .dermgan, 1: .npz, 2: a training snapshot, 3: a classifier).
    const auto prefixed = [](const fs::path& file, std::uint8_t reader) {
        auto bytes = readBytes(file);
        bytes.insert(bytes.begin(), reader);
        writeBytes(file, bytes);
    };
    prefixed(out / "tiny.dermgan", 0);
    writeNpz(out / "arrays.npz", {{"__config__", torch::zeros({4}, torch::kUInt8)}, {"w", torch::ones({2, 3})}});
    prefixed(out / "arrays.npz", 1);
    {
        train::TrainingConfig config = model.training;
        config.batch = 4;
        config.outDir = (out / "run").string();
        train::Trainer trainer(config, {torch::randint(0, 255, {8, 3, 16, 16}, torch::kUInt8), {0, 1, 0, 1, 0, 1, 0, 1}});
        trainer.step();
        trainer.saveSnapshot(out / "training.dermgan", {{"round", 1}});
        fs::remove_all(out / "run");
        prefixed(out / "training.dermgan", 2);
    }
    nets::ClassifierConfig classifier;
    classifier.resolution = 16;
    classifier.classNames = {"nv", "mel"};
    classifier.widths = {8, 16};
    classifier.colourConstancy = "shades-of-grey";  // version 2
    nets::LesionClassifier network(classifier);
    metrics::saveClassifier(network, {{"trained_on", "nothing"}}, out / "tiny.dermnet");
    prefixed(out / "tiny.dermnet", 3);

    explain::DirectionSet set;
    set.modelHash = model.hash;
    set.wDim = 8;
    set.numWs = model.training.network.numWs();
    set.directions = explain::pcaDirections(model, 2, 64, 0);
    explain::saveDirections(set, jsonOut / "directions.json");
    auto bytes = readBytes(jsonOut / "directions.json");
    bytes.insert(bytes.begin(), 0);
    writeBytes(jsonOut / "directions.json", bytes);
    explain::LatentRecipe recipe;
    recipe.classIndex = 1;
    recipe.psi = 0.7;
    recipe.mix.enabled = true;
    writeText(jsonOut / "recipe.json", std::string(1, '\x01') + explain::toJson(recipe).dump());
    metrics::ReaderStudySession study;
    study.modelHash = model.hash;
    study.classNames = {"nv", "mel"};
    study.trials = {{false, "ISIC_0000001", 0, 1}, {true, "", 7, 0}};
    study.answers = {metrics::ReaderAnswer{true, 4, 1, 2.5}, std::nullopt};
    writeText(jsonOut / "study.json", std::string(1, '\x02') + metrics::toJson(study).dump());

    // A saved map of that model: the CSV, a NUL byte, the summary.
    const std::string csv = "x,y,source,class,id\n0.5,-1.25,synthetic,nv,seed3\n2,3.5,real,mel,ISIC_0000001\n";
    const std::string summary = R"({"model_hash": ")" + model.hash +
                                R"(", "method": "umap", "space": "features", "seconds": 1.5, "trustworthiness_k10": null})";
    writeText(mapOut / "map", csv + std::string(1, '\0') + summary);
}

void npys(const fs::path& out)
{
    fs::create_directories(out);
    writeNpy(out / "ws.npy", torch::randn({10, 8}));
    writeNpy(out / "labels.npy", torch::arange(5));
    writeNpy(out / "pixels.npy", torch::zeros({2, 3, 4, 4}, torch::kUInt8));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_seeds OUT\n";
        return 2;
    }
    const fs::path out = argv[1];
    images(out / "fuzz_image_decode");
    tables(out / "fuzz_metadata_tables");
    datasetZips(out / "fuzz_dataset_zip");
    fs::create_directories(out / "fuzz_json_files");
    models(out / "fuzz_model_archive", out / "fuzz_json_files", out / "fuzz_map_file");
    npys(out / "fuzz_npy");
    std::cout << "seed corpora written to " << out.string() << "\n";
    return 0;
}
