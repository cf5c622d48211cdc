#pragma once

#include "ui/engine/engine_worker.h"

#include <QObject>
#include <QQmlApplicationEngine>
#include <QTimer>

class QQuickWindow;

namespace fireside::ui {

class ChatController;
class Clipboard;
class GenerationSettings;
class GenerationStatus;
class LibraryController;
class MessageModel;
class ModelController;
class PresetController;
class StoryController;
class TranscriptStore;

struct MainWindowOptions {
    QString data_directory;               // transcripts; empty: AppDataLocation/transcripts
    EngineWorker::BackendFactory backend; // empty: the real engine
};

// The application's main window: the engine's worker thread, the controllers, and the QML scene
// that binds to them. Owns everything; the QML sees the controllers as context properties.
class MainWindow : public QObject {
    Q_OBJECT

public:
    explicit MainWindow(const MainWindowOptions& options = {}, QObject* parent = nullptr);
    ~MainWindow() override;

    // Loads the QML scene; false (with the QML errors logged) when it cannot be built.
    bool load();
    QQuickWindow* window() const;

    EngineWorker* worker() const { return worker_; }
    ModelController* models() const { return models_; }
    ChatController* chat() const { return chat_; }
    StoryController* story() const { return story_; }
    LibraryController* library() const { return library_; }
    MessageModel* messages() const { return messages_; }
    GenerationSettings* settings() const { return settings_; }
    PresetController* presets() const { return presets_; }
    GenerationStatus* status() const { return status_; }
    TranscriptStore* store() const { return store_; }

private:
    EngineWorker* worker_;
    TranscriptStore* store_;
    MessageModel* messages_;
    GenerationSettings* settings_;
    GenerationStatus* status_;
    PresetController* presets_;
    ModelController* models_;
    ChatController* chat_;
    StoryController* story_;
    LibraryController* library_;
    Clipboard* clipboard_;
    QTimer reload_;
    QQmlApplicationEngine engine_; // last: the scene goes before the objects it binds to
};

// Application-wide setup shared by the GUI and its tests: names, icon, style.
void initialize_application();

} // namespace fireside::ui
