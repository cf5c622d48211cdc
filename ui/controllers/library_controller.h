#pragma once

#include "ui/models/conversation_list_model.h"
#include "ui/models/transcript.h"

#include <QObject>
#include <QTimer>
#include <QUrl>

namespace fireside::ui {

class ChatController;
class GenerationSettings;
class MessageModel;
class ModelController;
class PresetController;
class StoryController;
class TranscriptStore;

// The conversations: the list (new chat, new story, rename, duplicate, delete with undo, search),
// the open one, and its autosave. A change is saved at once; text streaming into an answer is saved
// at least once a second, so a crash loses at most the last second of an answer.
class LibraryController : public QObject {
    Q_OBJECT
    Q_PROPERTY(ConversationListModel* conversations READ conversations CONSTANT)
    Q_PROPERTY(QString currentId READ currentId NOTIFY currentChanged)
    Q_PROPERTY(QString currentKind READ currentKind NOTIFY currentChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentChanged)
    Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY undoChanged)
    Q_PROPERTY(QString undoTitle READ undoTitle NOTIFY undoChanged)
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
    Q_PROPERTY(QString directory READ directory CONSTANT)

public:
    LibraryController(TranscriptStore* store, MessageModel* messages, GenerationSettings* settings,
                      StoryController* story, ChatController* chat, ModelController* models,
                      PresetController* presets, QObject* parent = nullptr);

    ConversationListModel* conversations() const { return list_; }
    QString currentId() const { return current_.id; }
    QString currentKind() const { return current_.kind; }
    QString currentTitle() const { return current_.title; }
    bool canUndoDelete() const { return !deleted_.id.isEmpty(); }
    QString undoTitle() const { return deleted_.title; }
    QString notice() const { return notice_; }
    QString directory() const;

    // Reads the store and opens the newest conversation (or a new chat).
    void start();
    // The open conversation as it would be saved now.
    Transcript current() const;

    Q_INVOKABLE void newChat();
    Q_INVOKABLE void newStory();
    Q_INVOKABLE void open(const QString& id);
    Q_INVOKABLE void rename(const QString& id, const QString& title);
    Q_INVOKABLE void duplicate(const QString& id);
    Q_INVOKABLE void remove(const QString& id);
    Q_INVOKABLE void undoDelete();
    // Makes the last delete final.
    Q_INVOKABLE void forgetDelete();
    // format: "md", "txt" or "json".
    Q_INVOKABLE bool exportTo(const QString& id, const QUrl& file, const QString& format);
    Q_INVOKABLE bool importFrom(const QUrl& file);
    Q_INVOKABLE void dismissNotice();
    Q_INVOKABLE bool saveNow();

signals:
    void currentChanged();
    void undoChanged();
    void noticeChanged();

private:
    void create(const QString& kind);
    void show(const Transcript& transcript);
    void saveSoon();
    void saveWithinASecond();
    void setNotice(const QString& notice);
    bool isEmpty(const Transcript& t) const;

    TranscriptStore* store_;
    MessageModel* messages_;
    GenerationSettings* settings_;
    StoryController* story_;
    ModelController* models_;
    PresetController* presets_;
    ConversationListModel* list_;
    Transcript current_; // meta fields; messages, story and settings live in their objects
    Transcript deleted_;
    QString notice_;
    QByteArray saved_; // content of the last save of the open conversation
    bool loading_ = false;
    QTimer soon_;
    QTimer streaming_;
};

} // namespace fireside::ui
