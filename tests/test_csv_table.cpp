#include <QtTest>

#include "common/errors.h"
#include "data/csv_table.h"

using namespace dermgan;

class TestCsvTable : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesQuotesCommasAndLineEndings()
    {
        const auto table = CsvTable::parse("\xEF\xBB\xBFid, name ,note\r\n1,\"a, b\",\"say \"\"hi\"\"\"\r\n2,c,\"two\nlines\"\n", "t.csv");
        QCOMPARE(table.header(), (std::vector<std::string>{"id", "name", "note"}));
        QCOMPARE(table.rows().size(), std::size_t(2));
        QCOMPARE(table.rows()[0][1], std::string("a, b"));
        QCOMPARE(table.rows()[0][2], std::string("say \"hi\""));
        QCOMPARE(table.rows()[1][2], std::string("two\nlines"));
        QCOMPARE(table.column("name"), std::size_t(1));
    }

    void lastLineWithoutNewlineAndBlankLines()
    {
        const auto table = CsvTable::parse("a,b\n\n1,2", "t.csv");
        QCOMPARE(table.rows().size(), std::size_t(1));
        QCOMPARE(table.rows()[0][1], std::string("2"));
    }

    void missingColumnNamesFileAndColumns()
    {
        const auto table = CsvTable::parse("image_id,dx\nx,nv\n", "meta.csv");
        try {
            table.column("lesion_id");
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            const QString message = e.what();
            QVERIFY(message.contains("meta.csv"));
            QVERIFY(message.contains("lesion_id"));
            QVERIFY(message.contains("image_id,dx"));
        }
    }

    void badFilesAreRejected_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("ragged row") << "a,b\n1,2,3\n" << "row 2 has 3 fields";
        QTest::newRow("unterminated quote") << "a,b\n1,\"2\n" << "quoted field";
    }
    void badFilesAreRejected()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            CsvTable::parse(text.toStdString(), "bad.csv");
            QFAIL("expected InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void missingFileIsAnInputError()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, CsvTable::read("/nonexistent/dir/x.csv"));
    }

    void fieldsAreQuotedOnlyWhenNeeded()
    {
        QCOMPARE(csvField("plain"), std::string("plain"));
        QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
        QCOMPARE(csvField("say \"x\""), std::string("\"say \"\"x\"\"\""));
        const auto table = CsvTable::parse("v\n" + csvField("a,\"b\"\nc") + "\n", "round.csv");
        QCOMPARE(table.rows()[0][0], std::string("a,\"b\"\nc"));
    }
};

QTEST_APPLESS_MAIN(TestCsvTable)
#include "test_csv_table.moc"
