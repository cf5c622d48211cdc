#pragma once

#include "ui/engine/reply.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QVariantMap>

namespace fireside::ui {

class EngineWorker;
class GenerationSettings;
class GenerationStatus;
class MessageModel;
class ModelController;

// The chat's actions: send, Stop, regenerate (a new alternative beside the old ones), edit and
// resend, continue, delete, and browsing alternatives. Each generation sends the whole conversation
// up to the answer being written (the session reuses its cache for the common prefix) with the
// conversation's settings as they are at that moment, and streams into the message model.
class ChatController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(int streamingRow READ streamingRow NOTIFY busyChanged)

public:
    ChatController(EngineWorker* worker, ModelController* models, MessageModel* messages,
                   GenerationSettings* settings, GenerationStatus* status, QObject* parent = nullptr);

    bool busy() const { return reply_ != nullptr; }
    QString error() const { return error_; }
    int streamingRow() const { return busy() ? row_ : -1; }
    Reply* currentReply() const { return reply_; }

    // False (with `error` set) when the message cannot be sent now; the input keeps its text then.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    Q_INVOKABLE bool regenerate(int row);
    Q_INVOKABLE bool editAndResend(int row, const QString& text);
    Q_INVOKABLE bool continueReply();
    Q_INVOKABLE void deleteMessage(int row);
    Q_INVOKABLE void showAlternative(int row, int index);
    Q_INVOKABLE void clearError();

signals:
    void busyChanged();
    void errorChanged();
    // An answer finished (or was stopped): the transcript records the model that wrote it.
    void answered();

private:
    bool canGenerate();
    // Streams an answer into `row`, from the messages before it (or including it, to continue).
    void generateInto(int row, bool continuing);
    void finish();
    void setError(const QString& error);

    EngineWorker* worker_;
    ModelController* models_;
    MessageModel* messages_;
    GenerationSettings* settings_;
    GenerationStatus* status_;
    QPointer<Reply> reply_;
    int row_ = -1;
    QString error_;
};

} // namespace fireside::ui
