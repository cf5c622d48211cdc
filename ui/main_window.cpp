#include "ui/main_window.h"

#include "ui/controllers/model_controller.h"

#include <QGuiApplication>
#include <QIcon>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>

// Resources compiled into a static library must be registered by name, outside any namespace.
static void register_resources() {
    Q_INIT_RESOURCE(qml);
    Q_INIT_RESOURCE(fireside);
}

namespace fireside::ui {

void initialize_application() {
    register_resources();
    QGuiApplication::setApplicationName(QStringLiteral("Fireside"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Fireside"));
    QGuiApplication::setOrganizationName(QStringLiteral("Fireside"));
    QGuiApplication::setApplicationVersion(QStringLiteral(FIRESIDE_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("fireside"));
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/fireside.svg")));
    // Fusion follows the system's light or dark palette on every platform.
    if (QQuickStyle::name().isEmpty()) QQuickStyle::setStyle(QStringLiteral("Fusion"));
}

MainWindow::MainWindow(QObject* parent) : QObject(parent), models_(new ModelController(this)) {
    engine_.rootContext()->setContextProperty(QStringLiteral("models"), models_);
}

MainWindow::~MainWindow() = default;

bool MainWindow::load() {
    engine_.load(QUrl(QStringLiteral("qrc:/qml/Main.qml")));
    return window() != nullptr;
}

QQuickWindow* MainWindow::window() const {
    const auto roots = engine_.rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

} // namespace fireside::ui
