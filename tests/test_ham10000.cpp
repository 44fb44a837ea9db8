// Integration test on the real HAM10000 folder (../shared/data/ham10000); skips when it is absent.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>
#include <set>

#include "data/dataset.h"
#include "data/splits.h"

using namespace dermgan;

class TestHam10000 : public QObject {
    Q_OBJECT
private:
    QString root_;

private Q_SLOTS:
    void initTestCase()
    {
        root_ = qEnvironmentVariable("DERMGAN_HAM10000", QStringLiteral(DERMGAN_HAM10000_DIR));
        if (!QFileInfo::exists(root_ + "/HAM10000_metadata.csv"))
            QSKIP("HAM10000 not found (set DERMGAN_HAM10000 to its folder)");
    }

    void inspectCountsTheDiagnoses()
    {
        QProcess process;
        process.start(QStringLiteral(DERMGAN_CLI_PATH), {"dataset", "inspect", root_, "--json"});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 0);
        const auto json = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        QCOMPARE(json["images"].toInt(), 10015);
        QCOMPARE(json["groups"].toInt(), 7470);
        QMap<QString, int> counts;
        for (const auto& entry : json["classes"].toArray())
            counts[entry.toObject()["name"].toString()] = entry.toObject()["images"].toInt();
        const QMap<QString, int> expected{{"nv", 6705}, {"mel", 1113}, {"bkl", 1099}, {"bcc", 514},
                                          {"akiec", 327}, {"vasc", 142}, {"df", 115}};
        QCOMPARE(counts, expected);
    }

    void splitKeepsLesionsTogether()
    {
        const auto index = openDataset(root_.toStdString());
        const auto split = assignSplits(index, {}, {}, 0);
        std::map<std::string, std::pair<Subset, int>> seen;
        for (std::size_t row = 0; row < index.records.size(); ++row) {
            const auto where = std::make_pair(split.subset[row], split.institution[row]);
            const auto [it, inserted] = seen.emplace(index.records[row].groupId, where);
            QVERIFY2(it->second == where, index.records[row].groupId.c_str());
        }
        // Every diagnosis, even df (115 images), reaches the test split.
        std::set<int> testLabels;
        for (std::size_t row : rowsOf(split, Subset::Test))
            testLabels.insert(index.records[row].label);
        QCOMPARE(testLabels.size(), index.classNames.size());
    }
};

QTEST_GUILESS_MAIN(TestHam10000)
#include "test_ham10000.moc"
