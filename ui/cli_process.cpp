#include "cli_process.h"

#include <csignal>

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

namespace dermgan::ui {

CliProcess::CliProcess(QObject* parent) : QObject(parent)
{
    connect(&process_, &QProcess::readyReadStandardOutput, this, &CliProcess::readOutput);
    connect(&process_, &QProcess::readyReadStandardError, this, &CliProcess::readErrors);
    connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readOutput();
        readErrors();
        if (const QString rest = QString::fromUtf8(pendingError_).trimmed(); !rest.isEmpty())
            lastErrorLine_ = rest;
        pendingError_.clear();
        Q_EMIT finished(status == QProcess::NormalExit ? code : -1);
    });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            Q_EMIT failed(tr("%1 could not be started: %2").arg(process_.program(), process_.errorString()));
    });
}

CliProcess::~CliProcess() { stopAndWait(30000); }

QString CliProcess::executable()
{
    const QString configured = qEnvironmentVariable("DERMGAN_CLI");
    if (!configured.isEmpty())
        return QFileInfo(configured).isExecutable() ? configured : QString();
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/dermgan");
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("dermgan"));
}

QString CliProcess::commandLine(const QStringList& arguments)
{
    QStringList words{QStringLiteral("dermgan")};
    for (const QString& argument : arguments) {
        const bool plain = !argument.isEmpty() && argument.indexOf(QRegularExpression(QStringLiteral("[^A-Za-z0-9_./:=,+-]"))) < 0;
        words << (plain ? argument : QLatin1Char('\'') + QString(argument).replace(QLatin1String("'"), QLatin1String("'\\''")) + QLatin1Char('\''));
    }
    return words.join(QLatin1Char(' '));
}

bool CliProcess::start(const QStringList& arguments)
{
    const QString program = executable();
    if (program.isEmpty()) {
        Q_EMIT failed(tr("the dermgan command-line program was not found beside the explorer nor on PATH "
                         "(set DERMGAN_CLI to its path)"));
        return false;
    }
    stdout_.clear();
    pendingLine_.clear();
    pendingError_.clear();
    lastErrorLine_.clear();
    process_.start(program, arguments);
    return true;
}

bool CliProcess::running() const { return process_.state() != QProcess::NotRunning; }

void CliProcess::interrupt()
{
    if (process_.state() == QProcess::Running)
        ::kill(static_cast<pid_t>(process_.processId()), SIGINT);
}

void CliProcess::stopAndWait(int milliseconds)
{
    if (!running())
        return;
    interrupt();
    if (!process_.waitForFinished(milliseconds)) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

void CliProcess::readOutput()
{
    const QByteArray chunk = process_.readAllStandardOutput();
    stdout_ += chunk;
    pendingLine_ += chunk;
    int end;
    while ((end = pendingLine_.indexOf('\n')) >= 0) {
        const QByteArray line = pendingLine_.left(end).trimmed();
        pendingLine_.remove(0, end + 1);
        if (!line.startsWith('{'))
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            Q_EMIT jsonLine(document.object());
    }
}

void CliProcess::readErrors()
{
    pendingError_ += process_.readAllStandardError();
    // Progress bars redraw with '\r'; treat it as a line end too.
    pendingError_.replace('\r', '\n');
    int end;
    while ((end = pendingError_.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(pendingError_.left(end)).trimmed();
        pendingError_.remove(0, end + 1);
        if (!line.isEmpty())
            lastErrorLine_ = line;
    }
}

} // namespace dermgan::ui
