#include "training_wizard.h"

#include <cmath>
#include <functional>

#include <QCheckBox>
#include <QComboBox>
#include <QDate>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "background_job.h"
#include "cli_process.h"
#include "data/dataset.h"
#include "data/dataset_layouts.h"
#include "data/dataset_summary.h"

namespace dermgan::ui {

namespace {

// A page whose Next button waits for a condition (the dataset page waits for a successful inspection).
class GatedPage : public QWizardPage {
public:
    explicit GatedPage(std::function<bool()> complete) : complete_(std::move(complete)) {}
    bool isComplete() const override { return complete_(); }
    void recheck() { Q_EMIT completeChanged(); }

private:
    std::function<bool()> complete_;
};

struct Inspection {
    int id = 0;
    bool ok = false;
    int classCount = -1;
    QString text;
};

QLabel* note(const QString& text)
{
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    return label;
}

} // namespace

TrainingWizard::TrainingWizard(QWidget* parent) : QWizard(parent)
{
    setWindowTitle(tr("New training run"));
    setObjectName(QStringLiteral("trainingWizard"));
    setButtonText(QWizard::FinishButton, tr("Start training"));
    addPage(datasetPage());
    addPage(settingPage());
    addPage(modelPage());
    addPage(commandPage());
    const QString remembered = QSettings().value(QStringLiteral("dataset")).toString();
    if (!remembered.isEmpty())
        setDataset(remembered);
}

TrainingWizard::~TrainingWizard()
{
    for (auto* watcher : findChildren<QFutureWatcher<Inspection>*>())
        finishQuietly(*watcher);
}

QWizardPage* TrainingWizard::datasetPage()
{
    auto* page = new GatedPage([this] { return classCount_ >= 0; });
    page->setTitle(tr("Dataset"));
    page->setSubTitle(tr("Choose %1.").arg(QString::fromStdString(datasetLayoutList())));
    dataset_ = new QLineEdit;
    dataset_->setObjectName(QStringLiteral("datasetPath"));
    dataset_->setAccessibleName(tr("Dataset folder"));
    auto* browse = new QPushButton(tr("&Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), dataset_->text());
        if (!path.isEmpty())
            setDataset(path);
    });
    connect(dataset_, &QLineEdit::editingFinished, this, [this] { setDataset(dataset_->text()); });
    summary_ = new QPlainTextEdit;
    summary_->setObjectName(QStringLiteral("datasetSummary"));
    summary_->setReadOnly(true);
    summary_->setAccessibleName(tr("Dataset summary"));
    summary_->setPlaceholderText(tr("Choose a dataset: its images, lesions and classes are counted here."));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    summary_->setFont(mono);
    auto* row = new QHBoxLayout;
    row->addWidget(dataset_, 1);
    row->addWidget(browse);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(row);
    layout->addWidget(summary_, 1);
    connect(this, &TrainingWizard::datasetInspected, page, [page] { page->recheck(); });
    return page;
}

QWizardPage* TrainingWizard::settingPage()
{
    auto* page = new QWizardPage;
    page->setTitle(tr("Setting"));
    page->setSubTitle(tr("Where the training images come from."));
    centralized_ = new QRadioButton(tr("&Centralized: one model on all training images"));
    centralized_->setChecked(true);
    oneInstitution_ = new QRadioButton(tr("&One institution's share only (the split's institution k of 3)"));
    institution_ = new QSpinBox;
    institution_->setRange(0, 2);
    institution_->setAccessibleName(tr("Institution"));
    institution_->setEnabled(false);
    connect(oneInstitution_, &QRadioButton::toggled, institution_, &QWidget::setEnabled);
    federated_ = new QRadioButton(tr("&Federated across the split's 3 institutions (FedAvg, one process each)"));
    roundKimg_ = new QDoubleSpinBox;
    roundKimg_->setRange(0.004, 100.0);
    roundKimg_->setDecimals(3);
    roundKimg_->setValue(1.0);
    roundKimg_->setSuffix(tr(" local kimg per round"));
    roundKimg_->setAccessibleName(tr("Local kimg per round"));
    roundKimg_->setEnabled(false);
    connect(federated_, &QRadioButton::toggled, roundKimg_, &QWidget::setEnabled);
    subset_ = new QComboBox;
    subset_->addItem(tr("train split (lesion-grouped; val and test kept out)"), QStringLiteral("train"));
    subset_->addItem(tr("all images"), QStringLiteral("all"));
    subset_->setAccessibleName(tr("Training images"));
    auto* institutionRow = new QHBoxLayout;
    institutionRow->addWidget(oneInstitution_);
    institutionRow->addWidget(institution_);
    institutionRow->addStretch();
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(centralized_);
    layout->addLayout(institutionRow);
    auto* federatedRow = new QHBoxLayout;
    federatedRow->addWidget(federated_);
    federatedRow->addWidget(roundKimg_);
    federatedRow->addStretch();
    layout->addLayout(federatedRow);
    layout->addWidget(note(tr("<i>Federated: each institution trains on its own images only; after every round the "
                              "three average their G, D and G_ema weighted by image count. The run length on the next "
                              "page is each institution's. The charts follow institution 0. Across real hospitals, run "
                              "the command on each site over a VPN (README: Federated training).</i>")));
    auto* form = new QFormLayout;
    form->addRow(tr("&Images:"), subset_);
    layout->addLayout(form);
    layout->addStretch();
    return page;
}

QWizardPage* TrainingWizard::modelPage()
{
    auto* page = new QWizardPage;
    page->setTitle(tr("Model"));
    page->setSubTitle(tr("Defaults are the bundled models' settings; the CPU preset trains a 64x64 model at about 25 images/s on 2 cores."));
    conditional_ = new QCheckBox(tr("Class-&conditional (one class per diagnosis)"));
    conditional_->setChecked(true);
    resolution_ = new QComboBox;
    for (int r : {16, 32, 64, 128, 256})
        resolution_->addItem(r < 64 ? tr("%1 x %1 (quick trials)").arg(r) : QStringLiteral("%1 x %1").arg(r), r);
    resolution_->setCurrentIndex(resolution_->findData(64));
    preset_ = new QComboBox;
    preset_->addItem(tr("cpu: small networks for a CPU"), QStringLiteral("cpu"));
    preset_->addItem(tr("gpu: the study's network size"), QStringLiteral("gpu"));
    kimg_ = new QDoubleSpinBox;
    kimg_->setRange(0.001, 100000);
    kimg_->setDecimals(3);
    kimg_->setValue(50);
    kimg_->setSuffix(tr(" kimg"));
    batch_ = new QSpinBox;
    batch_->setRange(1, 1024);
    batch_->setValue(32);
    snapshot_ = new QDoubleSpinBox;
    snapshot_->setRange(0.001, 10000);
    snapshot_->setDecimals(3);
    snapshot_->setValue(10);
    snapshot_->setSuffix(tr(" kimg"));
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    device_ = new QComboBox;
    device_->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
    out_ = new QLineEdit(QDir::home().filePath(QStringLiteral("dermgan-runs/run-%1").arg(QDate::currentDate().toString(Qt::ISODate))));
    extra_ = new QLineEdit;
    extra_->setPlaceholderText(tr("e.g. --gamma 0.5 --balanced (see dermgan train --help)"));
    const std::pair<QWidget*, QString> names[] = {{resolution_, tr("Resolution")}, {preset_, tr("Network preset")},
                                                  {kimg_, tr("Training length")},  {batch_, tr("Batch size")},
                                                  {snapshot_, tr("Snapshot interval")}, {seed_, tr("Seed")},
                                                  {device_, tr("Device")},         {out_, tr("Output folder")},
                                                  {extra_, tr("Extra options")}};
    auto* form = new QFormLayout;
    form->addRow(conditional_);
    for (const auto& [widget, name] : names) {
        widget->setAccessibleName(name);
        form->addRow(name + QLatin1Char(':'), widget);
    }
    out_->setObjectName(QStringLiteral("outputFolder"));
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(note(tr("<i>A snapshot is about 60 MB for the CPU preset at 64 x 64. Pausing or closing the "
                              "explorer writes one, and the run continues from it later.</i>")));
    layout->addStretch();
    return page;
}

QWizardPage* TrainingWizard::commandPage()
{
    auto* page = new QWizardPage;
    page->setTitle(tr("Command"));
    page->setSubTitle(tr("The run is this command; the panel shows its progress. Paste it into a terminal to run it on a server."));
    command_ = new QPlainTextEdit;
    command_->setObjectName(QStringLiteral("trainingCommand"));
    command_->setReadOnly(true);
    command_->setAccessibleName(tr("Training command"));
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(command_);
    connect(this, &QWizard::currentIdChanged, this, [this] { updateCommand(); });
    return page;
}

void TrainingWizard::setDataset(const QString& path)
{
    dataset_->setText(path);
    classCount_ = -1;
    summary_->setPlainText(tr("Inspecting %1 …").arg(path));
    Q_EMIT datasetInspected(false);
    const int id = ++inspection_;
    auto* watcher = new QFutureWatcher<Inspection>(this);
    connect(watcher, &QFutureWatcher<Inspection>::finished, this, [this, watcher] {
        const Inspection result = watcher->result();
        watcher->deleteLater();
        if (result.id != inspection_)
            return;
        summary_->setPlainText(result.text);
        classCount_ = result.ok ? result.classCount : -1;
        conditional_->setEnabled(classCount_ > 0);
        conditional_->setChecked(classCount_ > 0);
        if (result.ok)
            QSettings().setValue(QStringLiteral("dataset"), dataset_->text());
        Q_EMIT datasetInspected(result.ok);
    });
    watcher->setFuture(QtConcurrent::run([id, path] {
        Inspection result;
        result.id = id;
        try {
            const DatasetIndex index = openDataset(path.toStdString());
            if (index.records.empty()) {
                result.text = tr("%1 holds no images; expected a dataset folder with images").arg(path);
                return result;
            }
            result.ok = true;
            result.classCount = static_cast<int>(index.classNames.size());
            result.text = QString::fromStdString(datasetSummaryText(index));
        } catch (const std::exception& e) {
            result.text = QString::fromStdString(e.what());
        }
        return result;
    }));
}

QString TrainingWizard::datasetSummary() const { return summary_->toPlainText(); }
void TrainingWizard::setOutputFolder(const QString& path) { out_->setText(path); }
void TrainingWizard::setKimg(double kimg) { kimg_->setValue(kimg); }
void TrainingWizard::setConditional(bool conditional) { conditional_->setChecked(conditional); }
void TrainingWizard::setExtraOptions(const QString& options) { extra_->setText(options); }
QString TrainingWizard::outputFolder() const { return out_->text(); }
QString TrainingWizard::dataset() const { return dataset_->text(); }
double TrainingWizard::kimg() const
{
    // Federated: whole rounds, so each site's length is rounds x round kimg (at least the length asked for).
    return federated_->isChecked() ? federatedRounds() * roundKimg_->value() : kimg_->value();
}

int TrainingWizard::federatedRounds() const
{
    return std::max(1, static_cast<int>(std::ceil(kimg_->value() / roundKimg_->value() - 1e-9)));
}

void TrainingWizard::setResolution(int resolution)
{
    const int index = resolution_->findData(resolution);
    if (index >= 0)
        resolution_->setCurrentIndex(index);
}

void TrainingWizard::setFederated(double roundKimg)
{
    federated_->setChecked(true);
    roundKimg_->setValue(roundKimg);
}

void TrainingWizard::setInstitution(int institution)
{
    (institution < 0 ? centralized_ : oneInstitution_)->setChecked(true);
    institution_->setValue(std::max(0, institution));
}

QStringList TrainingWizard::arguments() const
{
    const auto number = [](double value) { return QString::number(value, 'g', 10); };
    // Ticks small enough for live charts: 1/100 of the run, at most a quarter kimg (~10 s on a CPU).
    const double tick = std::min(0.25, std::max(0.004, kimg_->value() / 100.0));
    QList<std::pair<QString, QString>> options{
        {QStringLiteral("--out"), out_->text()},
        {QStringLiteral("--cond"), conditional_->isChecked() && classCount_ != 0 ? QStringLiteral("on") : QStringLiteral("off")},
        {QStringLiteral("--resolution"), resolution_->currentData().toString()},
        {QStringLiteral("--preset"), preset_->currentData().toString()},
        {QStringLiteral("--kimg"), number(kimg_->value())},
        {QStringLiteral("--batch"), QString::number(batch_->value())},
        {QStringLiteral("--snap"), number(snapshot_->value())},
        {QStringLiteral("--tick"), number(tick)},
        {QStringLiteral("--seed"), QString::number(seed_->value())},
        {QStringLiteral("--subset"), subset_->currentData().toString()},
        {QStringLiteral("--device"), device_->currentText()}};
    if (oneInstitution_->isChecked())
        options.append({QStringLiteral("--institution"), QString::number(institution_->value())});
    QStringList args{QStringLiteral("train"), dataset_->text()};
    if (federated_->isChecked()) {
        args = QStringList{QStringLiteral("federated-sim"), dataset_->text(), QStringLiteral("--sites"), QStringLiteral("3")};
        options.removeIf([](const auto& option) { return option.first == QStringLiteral("--kimg"); });
        options.append({QStringLiteral("--rounds"), QString::number(federatedRounds())});
        options.append({QStringLiteral("--round-kimg"), number(roundKimg_->value())});
    }
    // An extra option replaces the field it repeats (the command line takes each option once).
    const QStringList extra = QProcess::splitCommand(extra_->text());
    for (const auto& [name, value] : options)
        if (!extra.contains(name))
            args << name << value;
    return args + extra;
}

void TrainingWizard::updateCommand()
{
    if (command_)
        command_->setPlainText(CliProcess::commandLine(arguments()));
}

} // namespace dermgan::ui
