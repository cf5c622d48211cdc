#include "ui/controllers/model_controller.h"

#include "engine/cpu/cpu_features.h"
#include "ui/engine/engine_worker.h"
#include "ui/models/generation_settings.h"

#include <QFileInfo>
#include <QSettings>
#include <algorithm>

namespace fireside::ui {

namespace {
const QString kRecent = QStringLiteral("models/recent");
constexpr int kMaxRecent = 10;
} // namespace

ModelController::ModelController(EngineWorker* worker, QObject* parent) : QObject(parent), worker_(worker) {
    recent_ = QSettings().value(kRecent).toStringList();
    connect(worker_, &EngineWorker::loadProgress, this, [this](quint64 job, double fraction) {
        if (job != job_) return;
        progress_ = fraction;
        emit progressChanged();
    });
    connect(worker_, &EngineWorker::loaded, this, [this](quint64 job, const QVariantMap& info) {
        if (job != job_) return;
        job_ = 0;
        loadedRequest_ = requested_;
        info_ = info;
        progress_ = 1;
        addRecent(requested_.path);
        emit progressChanged();
        emit busyChanged();
        emit modelChanged();
        emit modelReady();
    });
    connect(worker_, &EngineWorker::loadFailed, this,
            [this](quint64 job, const QString& message, bool cancelled) {
                if (job != job_) return;
                job_ = 0;
                // The worker drops the old model before loading the new one: nothing is loaded now.
                info_.clear();
                loadedRequest_ = {};
                requested_ = {};
                emit busyChanged();
                emit modelChanged();
                if (!cancelled) setError(message);
            });
    connect(worker_, &EngineWorker::devicesFound, this,
            [this](const QVariantList& devices, const QString& problem) {
                devices_ = devices;
                gpuProblem_ = devices.isEmpty() ? tr("GPU offload needs a Vulkan device, and none was found "
                                                     "(%1). The model runs on the CPU.")
                                                      .arg(problem.isEmpty() ? tr("no device") : problem)
                                                : QString();
                emit devicesChanged();
            });
    worker_->probeDevices();
}

QStringList ModelController::nameFilters() const {
    return {tr("Models (*.bin *.gguf)"), tr("GGML v3 models (*.bin)"), tr("GGUF models (*.gguf)"),
            tr("All files (*)")};
}

void ModelController::setSettings(GenerationSettings* settings) {
    if (settings_) disconnect(settings_, nullptr, this, nullptr);
    settings_ = settings;
}

LoadRequest ModelController::requestFor(const QString& path) const {
    LoadRequest request;
    request.path = path;
    // One core stays free for the window: with every core computing, the UI thread waits its turn and
    // the window stutters while an answer streams.
    request.n_threads = std::max(1, physical_core_count() - 1);
    if (settings_) settings_->applyToLoad(request);
    return request;
}

void ModelController::open(const QUrl& url) {
    openPath(url.isLocalFile() ? url.toLocalFile() : url.toString());
}

void ModelController::openPath(const QString& path) {
    clearError();
    if (!QFileInfo(path).isFile()) {
        setError(tr("%1: no such file").arg(path));
        return;
    }
    start(requestFor(QFileInfo(path).absoluteFilePath()));
}

void ModelController::start(const LoadRequest& request) {
    const bool was_busy = busy();
    requested_ = request;
    progress_ = 0;
    job_ = worker_->load(request);
    emit progressChanged();
    if (!was_busy) emit busyChanged();
}

bool ModelController::ensureCurrent() {
    if (requested_.path.isEmpty()) return false;
    const LoadRequest wanted = requestFor(requested_.path);
    if (wanted == requested_) return false;
    start(wanted);
    return true;
}

void ModelController::cancel() {
    if (busy()) worker_->cancelLoad();
}

void ModelController::setError(const QString& error) {
    if (error_ == error) return;
    error_ = error;
    emit errorChanged();
}

void ModelController::clearError() {
    setError({});
}

void ModelController::addRecent(const QString& path) {
    recent_.removeAll(path);
    recent_.prepend(path);
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    QSettings().setValue(kRecent, recent_);
    emit recentModelsChanged();
}

void ModelController::forgetRecent(const QString& path) {
    recent_.removeAll(path);
    QSettings().setValue(kRecent, recent_);
    emit recentModelsChanged();
}

QVariantMap ModelController::identity() const {
    if (!loaded()) return {};
    return {{"file", info_.value("fileName")},
            {"size", info_.value("fileBytes")},
            {"headerHash", info_.value("headerHash")}};
}

} // namespace fireside::ui
