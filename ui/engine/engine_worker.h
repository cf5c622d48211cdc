#pragma once

#include "ui/engine/engine_backend.h"
#include "ui/engine/engine_requests.h"
#include "ui/engine/reply.h"

#include <QThread>
#include <QVariantList>
#include <QVariantMap>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace fireside::ui {

// The thread that owns the engine (model and session), in the manner of Qt's mandelbrot RenderThread:
// the UI thread queues jobs (load, generate, unload) and returns at once; the thread runs them in
// order and answers with queued signals. The backend is created, used and destroyed on this thread.
// A new load cancels the loads before it; a reply's abort cancels its generation within one token.
class EngineWorker : public QThread {
    Q_OBJECT

public:
    using BackendFactory = std::function<std::unique_ptr<EngineBackend>()>;

    // Without a factory, the real engine (SessionBackend).
    explicit EngineWorker(BackendFactory factory = {}, QObject* parent = nullptr);
    ~EngineWorker() override;

    // Queues a load; returns its job id (also carried by the load signals).
    quint64 load(const LoadRequest& request);
    void cancelLoad();
    void unload();
    // Queues a generation. The reply belongs to `parent` (or the caller, when null).
    Reply* generate(const GenerationRequest& request, QObject* parent = nullptr);
    // Asks for the Vulkan device list (answered by `devicesFound`).
    void probeDevices();

    // The request of the generation the engine received last, and the last load it started: what the
    // UI's settings turned into, for tests and the status bar.
    GenerationRequest lastGeneration() const;
    LoadRequest lastLoad() const;
    int generationsReceived() const;

signals:
    void loadStarted(quint64 job, const QString& path);
    void loadProgress(quint64 job, double fraction);
    void loaded(quint64 job, const QVariantMap& info);
    void loadFailed(quint64 job, const QString& message, bool cancelled);
    void unloaded();
    void devicesFound(const QVariantList& devices, const QString& problem);

    // Routed to the Reply with the same id.
    void replyPiece(quint64 id, const QString& text);
    void replyFinished(quint64 id, const QVariantMap& stats);
    void replyFailed(quint64 id, const QString& message);

protected:
    void run() override;

private:
    struct Job {
        enum class Kind { Load, Generate, Unload, Probe };
        Kind kind = Kind::Load;
        quint64 id = 0;
        LoadRequest load;
        GenerationRequest generation;
        std::shared_ptr<std::atomic<bool>> load_cancel;
        std::shared_ptr<void> reply_flags; // Reply::Flags, kept alive by the job
    };
    void enqueue(Job job);
    void runLoad(const Job& job);
    void runGenerate(const Job& job);

    BackendFactory factory_;
    std::unique_ptr<EngineBackend> backend_; // worker thread only
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::vector<std::shared_ptr<std::atomic<bool>>> load_cancels_;
    std::shared_ptr<Reply::Flags> running_flags_;
    bool quitting_ = false;
    quint64 next_id_ = 1;
    GenerationRequest last_generation_;
    LoadRequest last_load_;
    int generations_ = 0;
};

} // namespace fireside::ui
