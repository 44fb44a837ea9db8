#pragma once
// The "new training run" wizard: a dataset (inspected as soon as it is chosen: images, lesions, class
// counts), a setting (centralized, one institution's share, or federated across the split's three
// institutions with `dermgan federated-sim`), the model (conditional, resolution,
// length, ...), and a last page showing the exact dermgan command the run will be. The result is that
// command's arguments; the training panel runs them.
#include <QWizard>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;
class QSpinBox;

namespace dermgan::ui {

class TrainingWizard : public QWizard {
    Q_OBJECT
public:
    explicit TrainingWizard(QWidget* parent = nullptr);
    ~TrainingWizard() override;

    // Sets the dataset folder and inspects it in the background (datasetInspected follows).
    void setDataset(const QString& path);
    bool datasetReady() const { return classCount_ >= 0; }
    QString datasetSummary() const;
    int classCount() const { return classCount_; }  // 0 for an unlabelled dataset; -1 until inspected

    void setOutputFolder(const QString& path);
    void setKimg(double kimg);
    void setConditional(bool conditional);
    void setResolution(int resolution);
    void setInstitution(int institution);  // -1: centralized
    void setFederated(double roundKimg);    // federated across the 3 institutions, this many local kimg per round
    void setExtraOptions(const QString& options);

    // `dermgan` arguments of the run (starting with "train" or "federated-sim"), and the values the panel
    // needs; kimg() is each site's length in a federated run.
    QStringList arguments() const;
    QString outputFolder() const;
    QString dataset() const;
    double kimg() const;

Q_SIGNALS:
    void datasetInspected(bool ok);

private:
    QWizardPage* datasetPage();
    QWizardPage* settingPage();
    QWizardPage* modelPage();
    QWizardPage* commandPage();
    void updateCommand();
    int federatedRounds() const;

    QLineEdit* dataset_ = nullptr;
    QPlainTextEdit* summary_ = nullptr;
    int classCount_ = -1;
    int inspection_ = 0;  // the newest inspection; older ones that finish late are ignored
    QRadioButton* centralized_ = nullptr;
    QRadioButton* oneInstitution_ = nullptr;
    QSpinBox* institution_ = nullptr;
    QRadioButton* federated_ = nullptr;
    QDoubleSpinBox* roundKimg_ = nullptr;
    QComboBox* subset_ = nullptr;
    QCheckBox* conditional_ = nullptr;
    QComboBox* resolution_ = nullptr;
    QComboBox* preset_ = nullptr;
    QDoubleSpinBox* kimg_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* snapshot_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QComboBox* device_ = nullptr;
    QLineEdit* out_ = nullptr;
    QLineEdit* extra_ = nullptr;
    QPlainTextEdit* command_ = nullptr;
};

} // namespace dermgan::ui
