#pragma once

#include <QObject>
#include <QQmlApplicationEngine>
#include <memory>

class QQuickWindow;

namespace fireside::ui {

class ModelController;

// The application's main window: the QML scene and the controllers it binds to.
class MainWindow : public QObject {
    Q_OBJECT

public:
    explicit MainWindow(QObject* parent = nullptr);
    ~MainWindow() override;

    // Loads the QML scene; false (with the QML errors logged) when it cannot be built.
    bool load();
    QQuickWindow* window() const;
    ModelController* models() const { return models_; }

private:
    QQmlApplicationEngine engine_;
    ModelController* models_;
};

// Application-wide setup shared by the GUI and its tests: names, icon, style.
void initialize_application();

} // namespace fireside::ui
