#pragma once

#include "ui/engine/engine_requests.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantList>
#include <QVariantMap>

namespace fireside::ui {

class EngineWorker;
class GenerationSettings;

// Loads models on the worker thread and publishes their state: progress (with Cancel), the model's
// description, recent models, the Vulkan devices for the GPU-layers setting, and readable errors.
// The load settings (context, GPU layers, RoPE) come from the open conversation's settings; when
// they change, the model is reloaded.
class ModelController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(bool loaded READ loaded NOTIFY modelChanged)
    Q_PROPERTY(QString fileName READ fileName NOTIFY modelChanged)
    Q_PROPERTY(QString path READ path NOTIFY modelChanged)
    Q_PROPERTY(QVariantMap info READ info NOTIFY modelChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QStringList nameFilters READ nameFilters CONSTANT)
    Q_PROPERTY(QStringList recentModels READ recentModels NOTIFY recentModelsChanged)
    Q_PROPERTY(QVariantList devices READ devices NOTIFY devicesChanged)
    Q_PROPERTY(bool gpuAvailable READ gpuAvailable NOTIFY devicesChanged)
    Q_PROPERTY(QString gpuProblem READ gpuProblem NOTIFY devicesChanged)

public:
    explicit ModelController(EngineWorker* worker, QObject* parent = nullptr);

    bool busy() const { return job_ != 0; }
    double progress() const { return progress_; }
    bool loaded() const { return !info_.isEmpty(); }
    QString fileName() const { return info_.value(QStringLiteral("fileName")).toString(); }
    QString path() const { return loadedRequest_.path; }
    QVariantMap info() const { return info_; }
    QString error() const { return error_; }
    QStringList nameFilters() const;
    QStringList recentModels() const { return recent_; }
    QVariantList devices() const { return devices_; }
    bool gpuAvailable() const { return !devices_.isEmpty(); }
    QString gpuProblem() const { return gpuProblem_; }

    // The settings whose load part (context, GPU layers, RoPE) the model follows.
    void setSettings(GenerationSettings* settings);

    Q_INVOKABLE void open(const QUrl& url);
    Q_INVOKABLE void openPath(const QString& path);
    Q_INVOKABLE void cancel();
    Q_INVOKABLE void clearError();
    Q_INVOKABLE void forgetRecent(const QString& path);
    // Reloads when the settings' load part differs from what is loaded or loading; true if it did.
    bool ensureCurrent();
    // Loaded or loading: a generation queued now will run against a model.
    bool available() const { return loaded() || busy(); }
    // The file name, size and header hash for transcripts.
    QVariantMap identity() const;

signals:
    void busyChanged();
    void progressChanged();
    void modelChanged();
    void errorChanged();
    void recentModelsChanged();
    void devicesChanged();
    // A model finished loading (the window focuses the message box).
    void modelReady();

private:
    void start(const LoadRequest& request);
    void setError(const QString& error);
    LoadRequest requestFor(const QString& path) const;
    void addRecent(const QString& path);

    EngineWorker* worker_;
    QPointer<GenerationSettings> settings_;
    quint64 job_ = 0;
    double progress_ = 0;
    LoadRequest requested_;     // of the newest load, running or done
    LoadRequest loadedRequest_; // of the loaded model
    QVariantMap info_;
    QString error_;
    QStringList recent_;
    QVariantList devices_;
    QString gpuProblem_;
};

} // namespace fireside::ui
