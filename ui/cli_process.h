#pragma once
// Runs the dermgan command line as a child process for the explorer's long jobs (training, evaluation).
// A separate process keeps the window responsive, cannot take the explorer down with it, and gives the user
// the exact command that reproduces what the GUI did. Stdout lines that are JSON objects arrive as
// jsonLine; everything is kept for the end.
#include <QObject>
#include <QProcess>
#include <QStringList>

class QJsonObject;

namespace dermgan::ui {

class CliProcess : public QObject {
    Q_OBJECT
public:
    explicit CliProcess(QObject* parent = nullptr);
    ~CliProcess() override;

    // The dermgan executable: $DERMGAN_CLI when set, else the one beside the running program, else PATH.
    // Empty when none is found.
    static QString executable();
    // `arguments` quoted for a POSIX shell, prefixed with the program's name: what a user can paste.
    static QString commandLine(const QStringList& arguments);

    // Starts dermgan with `arguments`; false (and failed is emitted) when no executable is found.
    bool start(const QStringList& arguments);
    bool running() const;
    // Asks dermgan to stop cleanly (SIGINT: training writes a snapshot first, exit code cli::kCancelled).
    void interrupt();
    // Waits for the child to end, killing it after `milliseconds`.
    void stopAndWait(int milliseconds);

    QByteArray standardOutput() const { return stdout_; }
    // The last line dermgan wrote on stderr, e.g. "dermgan: error: ..."; empty when none.
    QString lastErrorLine() const { return lastErrorLine_; }

Q_SIGNALS:
    void jsonLine(const QJsonObject& line);
    // exitCode is -1 when the program crashed or could not start.
    void finished(int exitCode);
    void failed(const QString& message);

private:
    void readOutput();
    void readErrors();

    QProcess process_;
    QByteArray stdout_, pendingLine_, pendingError_;
    QString lastErrorLine_;
};

} // namespace dermgan::ui
