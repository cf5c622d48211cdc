#include "ui/main_window.h"

#include "ui/controllers/chat_controller.h"
#include "ui/controllers/clipboard.h"
#include "ui/controllers/generation_status.h"
#include "ui/controllers/library_controller.h"
#include "ui/controllers/model_controller.h"
#include "ui/controllers/preset_controller.h"
#include "ui/controllers/story_controller.h"
#include "ui/models/conversation_list_model.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"
#include "ui/storage/transcript_store.h"

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
    qRegisterMetaType<ConversationListModel*>();
}

MainWindow::MainWindow(const MainWindowOptions& options, QObject* parent)
    : QObject(parent), worker_(new EngineWorker(options.backend, this)),
      store_(new TranscriptStore(options.data_directory, this)), messages_(new MessageModel(this)),
      settings_(new GenerationSettings(this)), status_(new GenerationStatus(this)),
      presets_(new PresetController(this)), models_(new ModelController(worker_, this)),
      chat_(new ChatController(worker_, models_, messages_, settings_, status_, this)),
      story_(new StoryController(worker_, models_, settings_, status_, this)),
      library_(new LibraryController(store_, messages_, settings_, story_, chat_, models_, presets_, this)),
      clipboard_(new Clipboard(this)) {
    models_->setSettings(settings_);
    // Context and GPU-layer changes reload the model once the user has stopped dragging the slider.
    reload_.setSingleShot(true);
    reload_.setInterval(700);
    connect(&reload_, &QTimer::timeout, models_, &ModelController::ensureCurrent);
    connect(settings_, &GenerationSettings::loadSettingsChanged, &reload_, qOverload<>(&QTimer::start));
    library_->start();

    QQmlContext* context = engine_.rootContext();
    context->setContextProperty(QStringLiteral("models"), models_);
    context->setContextProperty(QStringLiteral("chat"), chat_);
    context->setContextProperty(QStringLiteral("story"), story_);
    context->setContextProperty(QStringLiteral("library"), library_);
    context->setContextProperty(QStringLiteral("messages"), messages_);
    context->setContextProperty(QStringLiteral("conversationSettings"), settings_);
    context->setContextProperty(QStringLiteral("presets"), presets_);
    context->setContextProperty(QStringLiteral("generationStatus"), status_);
    context->setContextProperty(QStringLiteral("clipboard"), clipboard_);
}

MainWindow::~MainWindow() {
    library_->saveNow();
    // Stop the engine before the controllers it answers go away.
    delete worker_;
}

bool MainWindow::load() {
    engine_.load(QUrl(QStringLiteral("qrc:/qml/Main.qml")));
    return window() != nullptr;
}

QQuickWindow* MainWindow::window() const {
    const auto roots = engine_.rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

} // namespace fireside::ui
