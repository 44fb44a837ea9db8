#pragma once
#include <QMainWindow>

class QLabel;

namespace dermgan::ui {

// The explorer's main window. Until a generator can be loaded it shows how to get one.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // The text of the start page, for tests and accessibility.
    QString startPageText() const;

private:
    void buildMenus();
    QLabel* startPage_ = nullptr;
};

} // namespace dermgan::ui
