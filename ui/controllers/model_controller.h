#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QVariantMap>

namespace fireside::ui {

// Opens model files for the window: reads the header off the UI thread and publishes what it found,
// or a message the user can act on. The window only ever sees properties and signals.
class ModelController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(bool loaded READ loaded NOTIFY modelChanged)
    Q_PROPERTY(QString fileName READ fileName NOTIFY modelChanged)
    Q_PROPERTY(QVariantMap info READ info NOTIFY modelChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QStringList nameFilters READ nameFilters CONSTANT)

public:
    explicit ModelController(QObject* parent = nullptr);

    bool busy() const { return watcher_.isRunning(); }
    bool loaded() const { return !info_.isEmpty(); }
    QString fileName() const { return fileName_; }
    QVariantMap info() const { return info_; }
    QString error() const { return error_; }
    QStringList nameFilters() const;

    Q_INVOKABLE void open(const QUrl& url);
    Q_INVOKABLE void openPath(const QString& path);
    Q_INVOKABLE void clearError();

signals:
    void busyChanged();
    void modelChanged();
    void errorChanged();

private:
    struct Outcome {
        QString path;
        QVariantMap info;
        QString error;
    };
    static Outcome inspect(const QString& path);
    void finish();

    QFutureWatcher<Outcome> watcher_;
    QString fileName_;
    QVariantMap info_;
    QString error_;
};

} // namespace fireside::ui
