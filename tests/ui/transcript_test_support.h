#pragma once

// Helpers for the tests that drive the whole window over a data directory: opening it, loading a
// model, reading a saved transcript, and a slow stand-in engine for timing the autosave.
#include "ui/controllers/model_controller.h"
#include "ui/engine/engine_backend.h"
#include "ui/main_window.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace fireside::test {

inline QJsonObject read_transcript(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

inline std::unique_ptr<ui::MainWindow> open_window(const QString& data,
                                                   ui::EngineWorker::BackendFactory backend = {}) {
    return std::make_unique<ui::MainWindow>(ui::MainWindowOptions{data, std::move(backend)});
}

inline bool load_model(ui::MainWindow& main, const QString& path) {
    QSignalSpy ready(main.models(), &ui::ModelController::modelReady);
    main.models()->openPath(path);
    return ready.wait(60000);
}

// A slow engine for the autosave timing only: one word every 40 ms until cancelled. The tests of
// what the engine answers drive the real engine.
class SlowWordsBackend : public ui::EngineBackend {
public:
    QVariantMap load(const ui::LoadRequest& r, const std::function<void(double)>& progress,
                     const std::atomic<bool>&) override {
        progress(1);
        loaded_ = true;
        return {{"fileName", QFileInfo(r.path).fileName()}, {"device", "test"}};
    }
    void unload() override { loaded_ = false; }
    bool loaded() const override { return loaded_; }
    GenerationStats generate(const ui::GenerationRequest&, const TextSink& sink,
                             const std::atomic<bool>* cancel) override {
        GenerationStats stats;
        for (int i = 0; i < 500 && !cancel->load(); ++i) {
            sink(" word" + std::to_string(i));
            std::this_thread::sleep_for(std::chrono::milliseconds(40));
            ++stats.generated_tokens;
        }
        stats.reason = FinishReason::Cancelled;
        return stats;
    }

private:
    bool loaded_ = false;
};

} // namespace fireside::test
