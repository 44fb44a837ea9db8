// Every reader, on small datasets the test writes itself, and every bad-input case they must refuse.
#include <QtTest>

#include "common/errors.h"
#include "data/dataset.h"
#include "data/image_label_lookup.h"
#include "io/zip_archive.h"
#include "test_support.h"

using namespace dermgan;
using namespace dermgan::test;
namespace fs = std::filesystem;

class TestDatasetReaders : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> dir_;
    fs::path root() const { return fs::path(dir_->path().toStdString()); }

    static void expectInputError(const fs::path& path, const QStringList& fragments, const ReadOptions& options = {})
    {
        try {
            openDataset(path, options);
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            const QString message = e.what();
            QVERIFY2(!message.contains('\n'), "error messages are one line");
            for (const auto& fragment : fragments)
                QVERIFY2(message.contains(fragment), qPrintable(message + " lacks " + fragment));
        }
    }

    static const ImageRecord& find(const DatasetIndex& index, const std::string& imageId)
    {
        for (const auto& record : index.records)
            if (record.imageId == imageId)
                return record;
        throw std::runtime_error("no record " + imageId);
    }

private Q_SLOTS:
    void init() { dir_ = std::make_unique<QTemporaryDir>(); }

    // ---- HAM10000 ----
    void hamReadsClassesLesionsAndMetadata()
    {
        writeHamDataset(root(), {{"L1", "I1", "nv"}, {"L1", "I2", "nv"}, {"L2", "I3", "mel"}, {"L3", "I4", "bcc"}});
        const auto index = openDataset(root());
        QCOMPARE(index.layout, std::string("ham10000"));
        QCOMPARE(index.classNames, (std::vector<std::string>{"bcc", "mel", "nv"}));
        QCOMPARE(index.classCounts(), (std::vector<std::size_t>{1, 1, 2}));
        QCOMPARE(index.records.size(), std::size_t(4));
        QCOMPARE(index.groupCount(), std::size_t(3));
        QCOMPARE(index.groupKind, std::string("lesion_id"));
        const auto& record = find(index, "I2");
        QCOMPARE(record.groupId, std::string("L1"));
        QCOMPARE(record.label, 2);
        QCOMPARE(record.metadata.at("localization"), std::string("back"));
        QVERIFY(fs::exists(record.location));
    }

    void anImageFileFindsItsDiagnosisInTheDatasetAroundIt()
    {
        writeHamDataset(root(), {{"L1", "I1", "nv"}, {"L2", "I2", "mel"}});
        const auto label = findImageLabel(root() / "images" / "I2.jpg");  // images/ has no table; its parent has
        QVERIFY(label.has_value());
        QCOMPARE(label->className, std::string("mel"));
        QVERIFY(fs::equivalent(label->dataset, root()));
        QVERIFY(!findImageLabel(root() / "images" / "I2.jpg", /*levels=*/0));  // the table is one level up

        // The same file name elsewhere is not that image; a file outside any dataset has no diagnosis.
        writeSolidImage(root() / "elsewhere" / "I2.jpg", 40, 30, cv::Scalar(0, 0, 0));
        QVERIFY(!findImageLabel(root() / "elsewhere" / "I2.jpg", /*levels=*/1));  // root() lists images/I2.jpg
        QVERIFY(!findImageLabel(root() / "images" / "missing.jpg"));
    }

    void hamMissingImageFailsOrIsSkipped()
    {
        writeHamDataset(root(), {{"L1", "I1", "nv"}, {"L2", "I2", "mel"}, {"L3", "I3", "mel"}});
        fs::remove(root() / "images" / "I2.jpg");
        expectInputError(root(), {"I2", "no file", "--skip-bad"});
        ReadOptions options;
        options.skipBad = true;
        const auto index = openDataset(root(), options);
        QCOMPARE(index.records.size(), std::size_t(2));
        QVERIFY(std::any_of(index.notes.begin(), index.notes.end(),
                            [](const auto& note) { return note.find("I2") != std::string::npos; }));
    }

    void hamDuplicateImageIdIsRefused()
    {
        writeHamDataset(root(), {{"L1", "I1", "nv"}, {"L2", "I1", "nv"}});
        expectInputError(root(), {"I1", "twice"});
    }

    void hamEmptyClassAfterSkippingIsRefusedOrDropped()
    {
        writeHamDataset(root(), {{"L1", "I1", "nv"}, {"L2", "I2", "df"}});
        fs::remove(root() / "images" / "I2.jpg");
        ReadOptions skip;
        skip.skipBad = true;
        expectInputError(root(), {"df", "no images", "--drop-empty-classes"}, skip);
        skip.dropEmptyClasses = true;
        const auto index = openDataset(root(), skip);
        QCOMPARE(index.classNames, (std::vector<std::string>{"nv"}));
        QCOMPARE(index.records[0].label, 0);
    }

    void csvWithoutNeededColumnsIsRefused()
    {
        writeSolidImage(root() / "a.jpg", 8, 8, {1, 2, 3});
        writeText(root() / "labels.csv", "file,size\na.jpg,3\n");
        expectInputError(root(), {"labels", "image_id, dx"});  // names what a HAM/ISIC CSV needs
    }

    void hamMetadataWithoutDxNamesTheColumn()
    {
        writeSolidImage(root() / "images" / "I1.jpg", 8, 8, {1, 2, 3});
        writeText(root() / "HAM10000_metadata.csv", "lesion_id,image_id,diagnosis\nL1,I1,nv\n");
        expectInputError(root(), {"HAM10000_metadata.csv", "no column 'dx'"});
    }

    // ---- ISIC ----
    void isicOneHotWithLesionIdsFromMetadata()
    {
        writeSolidImage(root() / "ISIC_2019_Training_Input" / "ISIC_1.jpg", 20, 20, {200, 10, 10});
        writeSolidImage(root() / "ISIC_2019_Training_Input" / "ISIC_2_downsampled.jpg", 20, 20, {10, 200, 10});
        writeSolidImage(root() / "ISIC_2019_Training_Input" / "ISIC_3.jpg", 20, 20, {10, 10, 200});
        writeText(root() / "ISIC_2019_Training_GroundTruth.csv",
                  "image,MEL,NV,BCC,UNK\nISIC_1,1.0,0.0,0.0,0.0\nISIC_2,0.0,1.0,0.0,0.0\nISIC_3,0.0,0.0,1.0,0.0\n");
        writeText(root() / "ISIC_2019_Training_Metadata.csv",
                  "image,age_approx,anatom_site_general,lesion_id,sex\nISIC_1,55,torso,BCN_1,male\n"
                  "ISIC_2,40,torso,BCN_1,male\nISIC_3,70,head,BCN_2,female\n");
        expectInputError(root(), {"UNK", "no images"});
        ReadOptions options;
        options.dropEmptyClasses = true;
        const auto index = openDataset(root(), options);
        QCOMPARE(index.layout, std::string("isic"));
        QCOMPARE(index.classNames, (std::vector<std::string>{"MEL", "NV", "BCC"}));
        QCOMPARE(index.groupKind, std::string("lesion_id"));
        QCOMPARE(find(index, "ISIC_2").groupId, std::string("BCN_1"));
        QCOMPARE(find(index, "ISIC_2").label, 1);
        QCOMPARE(index.groupCount(), std::size_t(2));
    }

    void isicTargetColumnGroupsByPatient()
    {
        writeSolidImage(root() / "train" / "ISIC_10.jpg", 16, 16, {1, 1, 1});
        writeSolidImage(root() / "train" / "ISIC_11.jpg", 16, 16, {1, 1, 1});
        writeText(root() / "train.csv", "image_name,patient_id,sex,diagnosis,benign_malignant,target\n"
                                        "ISIC_10,IP_1,male,nevus,benign,0\nISIC_11,IP_1,male,melanoma,malignant,1\n");
        const auto index = openDataset(root());
        QCOMPARE(index.classNames, (std::vector<std::string>{"benign", "malignant"}));
        QCOMPARE(index.groupKind, std::string("patient_id"));
        QCOMPARE(index.groupCount(), std::size_t(1));
        QCOMPARE(find(index, "ISIC_11").label, 1);
        QCOMPARE(find(index, "ISIC_11").metadata.at("diagnosis"), std::string("melanoma"));
    }

    void isicRowWithTwoClassesIsRefused()
    {
        writeSolidImage(root() / "ISIC_1.jpg", 16, 16, {1, 1, 1});
        writeText(root() / "gt.csv", "image,MEL,NV\nISIC_1,1,1\n");
        expectInputError(root(), {"gt.csv", "row 2", "exactly one"});
    }

    // ---- folders ----
    void folderPerClass()
    {
        writeSolidImage(root() / "nevus" / "a.png", 10, 12, {0, 0, 0});
        writeSolidImage(root() / "nevus" / "b.png", 10, 12, {0, 0, 0});
        writeSolidImage(root() / "melanoma" / "sub" / "c.jpg", 10, 12, {0, 0, 0});
        const auto index = openDataset(root());
        QCOMPARE(index.layout, std::string("folder"));
        QCOMPARE(index.classNames, (std::vector<std::string>{"melanoma", "nevus"}));
        QCOMPARE(index.classCounts(), (std::vector<std::size_t>{1, 2}));
    }

    void folderWithEmptyClassIsRefused()
    {
        writeSolidImage(root() / "nevus" / "a.png", 10, 12, {0, 0, 0});
        fs::create_directories(root() / "melanoma");
        expectInputError(root(), {"melanoma", "no images"});
    }

    void flatFolderIsUnlabelled()
    {
        writeSolidImage(root() / "x.png", 10, 12, {0, 0, 0});
        writeSolidImage(root() / "y.jpg", 10, 12, {0, 0, 0});
        const auto index = openDataset(root());
        QVERIFY(!index.labelled());
        QCOMPARE(index.records.size(), std::size_t(2));
        QCOMPARE(index.records[0].label, -1);
    }

    void missingAndEmptyFoldersAreRefused()
    {
        expectInputError(root() / "nope", {"nope", "does not exist"});
        expectInputError(root(), {"no images"});
        writeText(root() / "notes.txt", "hello");
        expectInputError(root() / "notes.txt", {"not a .zip"});
    }

    // ---- StyleGAN2-ADA ----
    void styleganZipWithLabels()
    {
        ZipWriter zip;
        zip.add("00000/img00000000.png", encodeSolidImage(".png", 16, 16, {255, 0, 0}));
        zip.add("00000/img00000001.png", encodeSolidImage(".png", 16, 16, {0, 255, 0}));
        zip.add("00000/img00000002.png", encodeSolidImage(".png", 16, 16, {0, 0, 255}));
        zip.add("dataset.json", std::string(R"({"labels": [["00000/img00000000.png", 0], ["00000/img00000001.png", 2],
                                                          ["00000/img00000002.png", 1]]})"));
        zip.save(root() / "data.zip");
        const auto index = openDataset(root() / "data.zip");
        QCOMPARE(index.layout, std::string("stylegan2-ada"));
        QCOMPARE(index.archivePath, root() / "data.zip");
        QCOMPARE(index.classNames, (std::vector<std::string>{"class 0", "class 1", "class 2"}));
        QCOMPARE(find(index, "img00000001").label, 2);
        QCOMPARE(find(index, "img00000001").location, std::string("00000/img00000001.png"));
    }

    void styleganFolderWithClassNamesAndNullLabels()
    {
        writeSolidImage(root() / "ds" / "00000" / "img0.png", 8, 8, {1, 2, 3});
        writeSolidImage(root() / "ds" / "00000" / "img1.png", 8, 8, {1, 2, 3});
        writeText(root() / "ds" / "dataset.json",
                  R"({"labels": [["00000/img0.png", 1], ["00000/img1.png", 0]], "class_names": ["nv", "mel"]})");
        const auto labelled = openDataset(root() / "ds");
        QCOMPARE(labelled.classNames, (std::vector<std::string>{"nv", "mel"}));
        QCOMPARE(find(labelled, "img0").label, 1);

        writeText(root() / "ds" / "dataset.json", R"({"labels": null})");
        QVERIFY(!openDataset(root() / "ds").labelled());
    }

    void styleganBadLabelsAreRefused()
    {
        writeSolidImage(root() / "ds" / "a.png", 8, 8, {1, 2, 3});
        writeSolidImage(root() / "ds" / "b.png", 8, 8, {1, 2, 3});
        writeText(root() / "ds" / "dataset.json", R"({"labels": [["a.png", 0]]})");
        expectInputError(root() / "ds", {"no label for b.png", "--skip-bad"});
        writeText(root() / "ds" / "dataset.json", R"({"labels": [["a.png", 0], ["b.png", "x"]]})");
        expectInputError(root() / "ds", {"b.png", "expected a non-negative integer"});
        writeText(root() / "ds" / "dataset.json", "{not json");
        expectInputError(root() / "ds", {"dataset.json", "not valid JSON"});
    }

    // ---- field reports (../shared/cases): the right values of each case, with inputs made here ----

    // Case 06: HAM10000 as Harvard Dataverse ships it, a tab-separated HAM10000_metadata.tab (quoted fields)
    // beside two image folders, was read as folder-per-class with the folder names as diagnoses.
    void hamDataverseTabMetadataIsRead()
    {
        writeSolidImage(root() / "HAM10000_images_part_1" / "ISIC_1.jpg", 8, 8, {200, 60, 40});
        writeSolidImage(root() / "HAM10000_images_part_2" / "ISIC_2.jpg", 8, 8, {40, 60, 200});
        writeText(root() / "HAM10000_metadata.tab", "lesion_id\timage_id\tdx\tdx_type\n"
                                                   "\"HAM_1\"\t\"ISIC_1\"\t\"mel\"\t\"histo\"\n"
                                                   "\"HAM_2\"\t\"ISIC_2\"\t\"nv\"\t\"follow_up\"\n");
        const auto index = openDataset(root());
        QCOMPARE(index.layout, std::string("ham10000"));
        QCOMPARE(index.classNames, (std::vector<std::string>{"mel", "nv"}));
        QCOMPARE(index.groupKind, std::string("lesion_id"));
        QCOMPARE(find(index, "ISIC_2").metadata.at("dx_type"), std::string("follow_up"));
        QVERIFY(std::any_of(index.notes.begin(), index.notes.end(),
                            [](const std::string& n) { return n.find("HAM10000_metadata.tab") != std::string::npos; }));
    }

    // A folder with a metadata table that no reader understands is refused, not read as folder-per-class.
    void unknownMetadataTableIsNeverFolderPerClass()
    {
        writeSolidImage(root() / "nv" / "a.png", 8, 8, {1, 2, 3});
        writeSolidImage(root() / "mel" / "b.png", 8, 8, {1, 2, 3});
        writeText(root() / "labels.TSV", "filename\tdiagnosis\na.png\tnv\n");
        expectInputError(root(), {"labels.TSV", "metadata"});
        // A README beside class folders is not metadata.
        fs::remove(root() / "labels.TSV");
        writeText(root() / "README.txt", "Lesions sorted by diagnosis.\n");
        QCOMPARE(openDataset(root()).layout, std::string("folder"));
    }

    // Case 07: SIIM-ISIC 2020 on Kaggle: train.csv (labelled), test.csv (no labels) and
    // sample_submission.csv (a constant target). The first CSV by name was used; the labelled one must be.
    void siimIsicPicksTheLabelledTable()
    {
        std::string train = "image_name,patient_id,sex,target\n", test = "image_name,patient_id,sex\n",
                    submission = "image_name,target\n";
        for (int i = 0; i < 6; ++i) {
            const std::string id = "ISIC_8" + std::to_string(i);
            writeSolidImage(root() / "jpeg" / "train" / (id + ".jpg"), 8, 8, {1, 2, 3});
            train += id + ",IP_" + std::to_string(i / 2) + ",female," + (i < 2 ? "1" : "0") + "\n";
        }
        for (int i = 0; i < 3; ++i) {
            const std::string id = "ISIC_9" + std::to_string(i);
            writeSolidImage(root() / "jpeg" / "test" / (id + ".jpg"), 8, 8, {1, 2, 3});
            test += id + ",IP_9,male\n";
            submission += id + ",0\n";
        }
        writeText(root() / "train.csv", train);
        writeText(root() / "test.csv", test);
        writeText(root() / "sample_submission.csv", submission);
        for (bool drop : {false, true}) {
            ReadOptions options;
            options.dropEmptyClasses = drop;
            const auto index = openDataset(root(), options);
            QCOMPARE(index.layout, std::string("isic"));
            QCOMPARE(index.records.size(), std::size_t(6));
            QCOMPARE(index.classCounts(), (std::vector<std::size_t>{4, 2}));
            QCOMPARE(index.groupKind, std::string("patient_id"));
            QVERIFY(std::any_of(index.notes.begin(), index.notes.end(),
                                [](const std::string& n) { return n == "labels read from train.csv"; }));
        }
    }

    // Case 09: dataset.json listing one image twice with two labels kept the last in silence.
    void styleganImageListedTwiceWithTwoLabelsIsRefused()
    {
        writeSolidImage(root() / "ds" / "00000" / "img0.png", 8, 8, {1, 2, 3});
        writeSolidImage(root() / "ds" / "00000" / "img1.png", 8, 8, {1, 2, 3});
        writeText(root() / "ds" / "dataset.json",
                  R"({"labels": [["00000/img0.png", 0], ["00000/img0.png", 1], ["00000/img1.png", 1]]})");
        expectInputError(root() / "ds", {"00000/img0.png", "twice", "0 and 1"});
        writeText(root() / "ds" / "dataset.json",
                  R"({"labels": [["00000/img0.png", 0], ["00000/img0.png", 0], ["00000/img1.png", 1]]})");
        const auto index = openDataset(root() / "ds");
        QCOMPARE(index.records.size(), std::size_t(2));
        QVERIFY(std::any_of(index.notes.begin(), index.notes.end(),
                            [](const std::string& n) { return n.find("listed twice") != std::string::npos; }));
    }

    // Reliability campaign: a dataset.json that is no object, or a label of 2^31, was read as unlabelled.
    void styleganJsonThatIsNoObjectOrHasHugeLabelsIsRefused()
    {
        writeSolidImage(root() / "ds" / "a.png", 8, 8, {1, 2, 3});
        for (const char* text : {"[1,2,3]", "42", "null", "\"x\"", ""}) {
            writeText(root() / "ds" / "dataset.json", text);
            expectInputError(root() / "ds", {"dataset.json", "expected an object"});
        }
        writeText(root() / "ds" / "dataset.json", std::string(200000, '['));
        expectInputError(root() / "ds", {"dataset.json"});
        writeText(root() / "ds" / "dataset.json", R"({"labels": [["a.png", 2147483648]]})");
        expectInputError(root() / "ds", {"a.png", "2147483648", "expected a class index"});
        writeText(root() / "ds" / "dataset.json", R"({"labels": [["a.png", -1]]})");
        expectInputError(root() / "ds", {"a.png", "expected a class index"});
    }

    // Case 10: a zip made on macOS (__MACOSX/ AppleDouble members, ._ files, .DS_Store) double-counted its
    // images; one whose members sit under one top folder ignored its dataset.json.
    void macosZipUnderOneTopFolderReadsAsItsImages()
    {
        ZipWriter zip;
        zip.add("lesions/dataset.json", std::string(R"({"labels": [["00000/a.png", 0], ["00000/b.png", 1]]})"));
        zip.add("__MACOSX/lesions/._dataset.json", std::string("\x00\x05\x16\x07 AppleDouble"));
        zip.add("lesions/.DS_Store", std::string("Bud1"));
        zip.add("lesions/00000/a.png", encodeSolidImage(".png", 8, 8, {255, 0, 0}));
        zip.add("__MACOSX/lesions/00000/._a.png", std::string("\x00\x05\x16\x07 AppleDouble"));
        zip.add("lesions/00000/b.png", encodeSolidImage(".png", 8, 8, {0, 255, 0}));
        zip.add("lesions/00000/._b.png", std::string("\x00\x05\x16\x07 AppleDouble"));
        zip.save(root() / "lesions.zip");
        const auto index = openDataset(root() / "lesions.zip");
        QCOMPARE(index.records.size(), std::size_t(2));
        QVERIFY(index.labelled());
        QCOMPARE(find(index, "b").label, 1);
        QVERIFY(std::any_of(index.notes.begin(), index.notes.end(),
                            [](const std::string& n) { return n.find("lesions/dataset.json") != std::string::npos; }));
    }
};

QTEST_APPLESS_MAIN(TestDatasetReaders)
#include "test_dataset_readers.moc"
