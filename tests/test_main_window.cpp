#include <QtTest>

#include <QLabel>
#include <QMenuBar>

#include "main_window.h"

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsOnAPageSayingHowToGetAModel()
    {
        dermgan::ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto* page = window.findChild<QLabel*>("startPage");
        QVERIFY(page);
        QVERIFY(page->isVisible());
        QVERIFY(window.startPageText().contains("No generator loaded"));
        QVERIFY(window.startPageText().contains("dermgan dataset inspect"));
        QVERIFY(!page->accessibleName().isEmpty());
        QCOMPARE(window.menuBar()->actions().size(), 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
