#pragma once
// What the explorer does on start-up when its command line asks (open a tab, compute a map, project an image,
// start a reader study or a training run) and, for --screenshot, when the window is worth a picture. The
// command line itself is parsed in app/dermgan-explorer/main.cpp; this is the part that drives the window.
#include <memory>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace dermgan::ui {

class MainWindow;
class TrainingWizard;

// The explorer's command line, parsed. Empty strings and false mean "not asked".
struct StartupRequest {
    QString model;            // the generator to open; empty: none
    QString directions, state;
    QString tab;              // one of startupTabNames()
    QString mapDataset;       // compute a UMAP of its test images beside synthetic ones
    QString projectImage;
    int projectClass = 0;
    QString neighbourDataset;
    bool gallery = false;
    QString readerStudyDataset, readerStudyFile, readerStudySession;
    bool evaluate = false;
    QString wizardDataset, trainDataset, trainOut;
    bool federated = false;
    QString screenshot;       // save a PNG of the window here once it shows what was asked, then quit
};

// The tabs --tab names, in the window's order.
QStringList startupTabNames();

class ExplorerStartup {
public:
    explicit ExplorerStartup(MainWindow& window);
    ~ExplorerStartup();

    // Opens what `request` names and starts what it asks, in the window's order. Returns the first error
    // (opening the model, its directions or a state file), after which nothing else is started; empty when
    // all went well.
    QString run(const StartupRequest& request);
    // For request.screenshot: waits for what was asked (the first frame, the gallery, the projection, the map,
    // the study's first image, a few training ticks, the wizard's inspected dataset), then saves the window
    // and quits with 0 (1 when the PNG cannot be written, 3 when the reader study fails to start).
    void screenshotWhenReady(const StartupRequest& request);

private:
    MainWindow& window_;
    std::unique_ptr<TrainingWizard> wizard_;  // for --wizard and --train, made once the model is open
    // The context of every connection made here: they end with this object, which goes before the window
    // (whose training panel may still emit ticks while it closes).
    QObject context_;
    QTemporaryDir studyFolder_;  // a --reader-study's answers, unless --reader-study-file names a file
};

} // namespace dermgan::ui
