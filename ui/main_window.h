#pragma once
// The explorer's main window: a start page until a generator is open, then the generate, gallery, projection, map and
// evaluation views with the model card beside them, and the training panel below when a run is going. Owns the menus, the undo stack, recent files, drag and drop, the device choice and
// saved explorer states.
#include <QMainWindow>

#include "generator_session.h"

class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QTextBrowser;
class QUndoStack;

namespace dermgan::ui {

class EmbeddingView;
class GalleryView;
class GeneratorView;
class MetricsView;
class ProjectionView;
class ReaderStudyView;
class TrainingPanel;
class TrainingWizard;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Each returns an empty string on success, else the one-line reason (the menu actions show it in a
    // dialog; tests read it).
    QString openModel(const QString& path);
    QString openDirections(const QString& path);
    QString saveExplorerState(const QString& path) const;
    QString loadExplorerState(const QString& path);
    QString exportImage(const QString& path, int scale = 1) const;  // scale: nearest-neighbour enlargement
    const GeneratorSession& session() const { return session_; }

    QString startPageText() const;
    GeneratorView* generatorView() const { return generator_; }
    EmbeddingView* embeddingView() const { return map_; }
    ProjectionView* projectionView() const { return projection_; }
    GalleryView* galleryView() const { return gallery_; }
    MetricsView* metricsView() const { return metrics_; }
    ReaderStudyView* readerStudyView() const { return readerStudy_; }
    TrainingPanel* trainingPanel() const { return training_; }
    // Starts the run `wizard` describes in the training panel (shown as a dock).
    void startTraining(const TrainingWizard& wizard);
    QTabWidget* tabs() const { return tabs_; }
    QUndoStack* undoStack() const { return undo_; }
    QString device() const { return device_; }
    void setDevice(const QString& device);  // "auto", "cpu", "cuda": reopens the model there

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    // Before closing during a training run: asks whether to pause it (its snapshot is written under a progress
    // dialog) and quit, or keep training. False when the window should stay open.
    bool settleTrainingBeforeClose();
    // Shrinks and moves the window into the available area of its screen.
    void keepOnScreen();

private:
    void buildMenus();
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void showModelState();
    void reportError(const QString& title, const QString& message, const QString& advice);

    GeneratorSession session_;
    QString device_ = QStringLiteral("auto");
    QUndoStack* undo_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLabel* startPage_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    GeneratorView* generator_ = nullptr;
    EmbeddingView* map_ = nullptr;
    ProjectionView* projection_ = nullptr;
    GalleryView* gallery_ = nullptr;
    MetricsView* metrics_ = nullptr;
    ReaderStudyView* readerStudy_ = nullptr;
    TrainingPanel* training_ = nullptr;
    QDockWidget* trainingDock_ = nullptr;
    QTextBrowser* card_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QActionGroup* deviceGroup_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QLabel* frameLabel_ = nullptr;
};

} // namespace dermgan::ui
