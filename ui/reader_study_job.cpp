#include "reader_study_job.h"

#include <map>

#include <torch/torch.h>

#include "common/errors.h"
#include "data/subset_loader.h"
#include "model/snapshot.h"

namespace dermgan::ui {

namespace {

SubsetImages loadRealImages(const metrics::ReaderStudySession& study, const ProgressCallback& progress)
{
    SubsetRequest request;
    request.dataset = study.dataset;
    request.subset = study.subset;
    request.splitSeed = study.splitSeed;
    request.resolution = study.resolution;
    request.read.skipBad = true;  // a study needs some images, not every one
    request.progress = progress;
    return loadSubset(request);
}

// The model's class index of each subset image (matched by name), -1 when the model has no such class.
std::vector<int> modelClasses(const SubsetImages& real, const QStringList& modelClassNames)
{
    std::vector<int> classes;
    for (const int label : real.labels) {
        const auto& names = real.index.classNames;
        const QString name = label >= 0 && label < static_cast<int>(names.size())
                                 ? QString::fromStdString(names[static_cast<std::size_t>(label)]) : QString();
        classes.push_back(name.isEmpty() ? -1 : static_cast<int>(modelClassNames.indexOf(name)));
    }
    return classes;
}

QImage toImage(const torch::Tensor& pixels)  // uint8 [3, R, R]
{
    const auto hwc = pixels.permute({1, 2, 0}).contiguous();
    const int side = static_cast<int>(hwc.size(0));
    return QImage(hwc.data_ptr<std::uint8_t>(), side, side, side * 3, QImage::Format_RGB888).copy();
}

QList<QImage> trialImages(const GeneratorSession& session, const metrics::ReaderStudySession& study,
                          const SubsetImages& real, const ProgressCallback& progress)
{
    std::map<std::string, int64_t> byId;
    for (std::size_t i = 0; i < real.size(); ++i)
        byId[real.index.records[real.rows[i]].imageId] = static_cast<int64_t>(i);
    QList<QImage> images;
    for (const auto& trial : study.trials) {
        reportProgress(progress, {"preparing the study's images", static_cast<std::size_t>(images.size()), study.trials.size()});
        if (!trial.synthetic) {
            const auto found = byId.find(trial.imageId);
            if (found == byId.end())
                throw InputError(study.dataset + ": the study's image " + trial.imageId + " is not in its '" + study.subset +
                                 "' subset any more; expected the dataset the study was made with");
            images.push_back(toImage(real.pixels[found->second]));
            continue;
        }
        explain::LatentRecipe recipe;
        recipe.seed = trial.seed;
        recipe.classIndex = std::max(trial.classIndex, 0);
        recipe.psi = study.psi;
        images.push_back(session.render(recipe));
    }
    return images;
}

} // namespace

PreparedStudy prepareReaderStudy(const GeneratorSession& session, const ReaderStudySetup& setup, const ProgressCallback& progress)
{
    if (!session.isLoaded())
        throw InputError("open a generator before starting a reader study");
    if (setup.dataset.isEmpty())
        throw InputError("choose the dataset folder of the real images");
    PreparedStudy prepared;
    auto& study = prepared.session;
    study.reader = setup.reader.toStdString();
    study.model = session.path().toStdString();
    study.modelHash = session.hash().toStdString();
    study.dataset = setup.dataset.toStdString();
    study.subset = setup.subset.toStdString();
    study.splitSeed = session.generatorModel().training.splitSeed;
    study.resolution = session.resolution();
    study.psi = setup.psi;
    study.seed = setup.seed;
    const QStringList classNames = session.classNames();
    study.askDiagnosis = setup.askDiagnosis && !classNames.isEmpty();
    for (const QString& name : classNames)
        study.classNames.push_back(name.toStdString());

    const SubsetImages real = loadRealImages(study, progress);
    const auto classes = modelClasses(real, classNames);
    std::vector<metrics::RealCandidate> candidates;
    for (std::size_t i = 0; i < real.size(); ++i)
        if (classNames.isEmpty() || classes[i] >= 0)  // a diagnosis the model cannot make would mark an image as real
            candidates.push_back({real.index.records[real.rows[i]].imageId, classes[i]});
    study.trials = metrics::planReaderTrials(candidates, static_cast<int>(classNames.size()), setup.perSource, setup.seed);
    study.answers.assign(study.trials.size(), std::nullopt);
    prepared.images = trialImages(session, study, real, progress);
    return prepared;
}

PreparedStudy reloadReaderStudy(const GeneratorSession& session, const metrics::ReaderStudySession& saved,
                                const ProgressCallback& progress)
{
    if (!session.isLoaded())
        throw InputError("open the study's generator (" + saved.model + ") before resuming it");
    if (saved.modelHash != session.hash().toStdString())
        throw InputError("this study was made with model " + saved.modelHash + " (" + saved.model + "), not the open one (" +
                         session.hash().toStdString() + "); open that model first");
    if (saved.resolution != session.resolution())
        throw InputError("this study shows images at " + std::to_string(saved.resolution) + " px, the open model makes " +
                         std::to_string(session.resolution()) + " px");
    const SubsetImages real = loadRealImages(saved, progress);
    PreparedStudy prepared;
    prepared.session = saved;
    prepared.images = trialImages(session, saved, real, progress);
    return prepared;
}

} // namespace dermgan::ui
