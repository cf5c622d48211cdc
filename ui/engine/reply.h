#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QVariantMap>
#include <atomic>
#include <memory>

namespace fireside::ui {

class EngineWorker;

// One generation in flight, like a QNetworkReply: text arrives as `piece` signals, then exactly one
// of `finished` (with statistics; also after abort) or `failed`. Lives on the UI thread; the worker
// reaches it only through queued signals and the shared flags below.
class Reply : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)

public:
    ~Reply() override;

    quint64 id() const { return id_; }
    bool running() const { return running_; }
    QString text() const { return text_; } // everything received so far
    QVariantMap stats() const { return stats_; }
    QString error() const { return error_; }

    // Asks the worker to stop within one token (or to skip the job when it has not started yet).
    Q_INVOKABLE void abort();

    // Shared with the worker thread.
    struct Flags {
        std::atomic<bool> cancel{false};
        // Set by the worker when it sends a piece and cleared here once it is handled and a frame's
        // time has passed: while set the worker gathers text instead of queueing more signals, so a
        // fast model never floods the UI (at most one piece per frame, however fast the model is).
        std::atomic<bool> piece_in_flight{false};
    };
    std::shared_ptr<Flags> flags() const { return flags_; }

signals:
    void piece(const QString& text);
    void finished(const QVariantMap& stats);
    void failed(const QString& message);
    void runningChanged();

private:
    friend class EngineWorker;
    Reply(quint64 id, QObject* parent);
    void deliverPiece(quint64 id, const QString& text);
    void deliverFinished(quint64 id, const QVariantMap& stats);
    void deliverFailed(quint64 id, const QString& message);

    void release();

    quint64 id_;
    qint64 last_piece_ms_ = 0;
    bool release_pending_ = false;
    std::shared_ptr<Flags> flags_ = std::make_shared<Flags>();
    bool running_ = true;
    QString text_;
    QVariantMap stats_;
    QString error_;
    QElapsedTimer clock_;
};

} // namespace fireside::ui
