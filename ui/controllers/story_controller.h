#pragma once

#include "ui/engine/reply.h"
#include "ui/models/transcript.h"

#include <QObject>
#include <QPointer>

namespace fireside::ui {

class EngineWorker;
class GenerationSettings;
class GenerationStatus;
class ModelController;

// A story: one editable text the model continues. Continue appends a continuation; Retry writes
// another continuation of the same text (the earlier ones stay, browsable); Undo goes back to the
// text before the last Continue. Memory stays at the top of the context and the author's note is
// inserted a few lines before the end.
class StoryController : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    Q_PROPERTY(QString memory READ memory WRITE setMemory NOTIFY memoryChanged)
    Q_PROPERTY(QString authorsNote READ authorsNote WRITE setAuthorsNote NOTIFY authorsNoteChanged)
    Q_PROPERTY(bool canUndo READ canUndo NOTIFY historyChanged)
    Q_PROPERTY(bool canRetry READ canRetry NOTIFY historyChanged)
    Q_PROPERTY(int alternativeCount READ alternativeCount NOTIFY historyChanged)
    Q_PROPERTY(int alternativeIndex READ alternativeIndex NOTIFY historyChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    StoryController(EngineWorker* worker, ModelController* models, GenerationSettings* settings,
                    GenerationStatus* status, QObject* parent = nullptr);

    QString text() const { return state_.text; }
    QString memory() const { return state_.memory; }
    QString authorsNote() const { return state_.authorsNote; }
    bool canUndo() const { return !busy() && !state_.undo.isEmpty(); }
    bool canRetry() const { return !busy() && !state_.continuations.isEmpty(); }
    int alternativeCount() const { return int(state_.continuations.size()); }
    int alternativeIndex() const { return state_.current; }
    bool busy() const { return reply_ != nullptr; }
    QString error() const { return error_; }
    Reply* currentReply() const { return reply_; }

    void setText(const QString& text);
    void setMemory(const QString& memory);
    void setAuthorsNote(const QString& note);

    const StoryState& state() const { return state_; }
    // Replaces the story (opening another conversation); stops any generation first.
    void setState(const StoryState& state);

    Q_INVOKABLE bool continueStory();
    Q_INVOKABLE bool retry();
    Q_INVOKABLE void undo();
    Q_INVOKABLE void stop();
    Q_INVOKABLE void showAlternative(int index);
    Q_INVOKABLE void clearError();

signals:
    void textChanged();
    void memoryChanged();
    void authorsNoteChanged();
    void historyChanged();
    void busyChanged();
    void errorChanged();
    void edited();
    void streamed();
    void answered();

private:
    bool canGenerate();
    void generate();
    void finish();
    void setError(const QString& error);

    EngineWorker* worker_;
    ModelController* models_;
    GenerationSettings* settings_;
    GenerationStatus* status_;
    StoryState state_;
    QPointer<Reply> reply_;
    QString error_;
};

} // namespace fireside::ui
