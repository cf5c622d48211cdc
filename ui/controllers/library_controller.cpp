#include "ui/controllers/library_controller.h"

#include "ui/controllers/chat_controller.h"
#include "ui/controllers/model_controller.h"
#include "ui/controllers/preset_controller.h"
#include "ui/controllers/story_controller.h"
#include "ui/models/conversation_list_model.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"
#include "ui/storage/transcript_store.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QUuid>

namespace fireside::ui {

namespace {

QDateTime now_ms() {
    return QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
}

QString default_title(const QString& kind) {
    return kind == QLatin1String("story") ? LibraryController::tr("New story")
                                          : LibraryController::tr("New chat");
}

// A transcript's content, its "updated" time left out.
QByteArray content_of(const Transcript& t) {
    QJsonObject json = t.toJson();
    json.remove(QStringLiteral("updated"));
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

} // namespace

LibraryController::LibraryController(TranscriptStore* store, MessageModel* messages,
                                     GenerationSettings* settings, StoryController* story,
                                     ChatController* chat, ModelController* models, PresetController* presets,
                                     QObject* parent)
    : QObject(parent), store_(store), messages_(messages), settings_(settings), story_(story),
      models_(models), presets_(presets), list_(new ConversationListModel(this)) {
    soon_.setSingleShot(true);
    soon_.setInterval(0);
    connect(&soon_, &QTimer::timeout, this, &LibraryController::saveNow);
    // Half a second: with the time a save takes, a streaming answer is on disk at least once a second.
    streaming_.setSingleShot(true);
    streaming_.setInterval(500);
    connect(&streaming_, &QTimer::timeout, this, &LibraryController::saveNow);

    connect(messages_, &MessageModel::edited, this, &LibraryController::saveSoon);
    connect(messages_, &MessageModel::streamed, this, &LibraryController::saveWithinASecond);
    connect(settings_, &GenerationSettings::changed, this, &LibraryController::saveSoon);
    connect(story_, &StoryController::edited, this, &LibraryController::saveSoon);
    connect(story_, &StoryController::streamed, this, &LibraryController::saveWithinASecond);
    auto record_model = [this] {
        const QVariantMap identity = models_->identity();
        if (!identity.isEmpty()) current_.model = QJsonObject::fromVariantMap(identity);
        saveSoon();
    };
    connect(chat, &ChatController::answered, this, record_model);
    connect(story_, &StoryController::answered, this, record_model);
    connect(store_, &TranscriptStore::problem, this, &LibraryController::setNotice);
}

QString LibraryController::directory() const {
    return store_->directory();
}

void LibraryController::setNotice(const QString& notice) {
    notice_ = notice;
    emit noticeChanged();
}

void LibraryController::dismissNotice() {
    setNotice({});
}

void LibraryController::start() {
    list_->setAll(store_->loadAll());
    const QString newest = list_->idAt(0);
    if (newest.isEmpty())
        newChat();
    else
        open(newest);
}

Transcript LibraryController::current() const {
    Transcript t = current_;
    t.messages = messages_->messages();
    for (ChatMessage& m : t.messages) m.streaming = false;
    t.story = story_->state();
    t.settings = settings_->toJson();
    return t;
}

bool LibraryController::isEmpty(const Transcript& t) const {
    return t.messages.isEmpty() && t.story.text.isEmpty() && t.story.memory.isEmpty();
}

void LibraryController::saveSoon() {
    if (!loading_ && !current_.id.isEmpty()) soon_.start();
}

void LibraryController::saveWithinASecond() {
    if (!loading_ && !current_.id.isEmpty() && !streaming_.isActive()) streaming_.start();
}

bool LibraryController::saveNow() {
    soon_.stop();
    streaming_.stop();
    if (current_.id.isEmpty()) return false;
    Transcript t = current();
    // A chat titles itself after its first message.
    if (t.title == default_title(t.kind) && t.kind == QLatin1String("chat") && !t.messages.isEmpty()) {
        t.title = t.messages.first().text().simplified().left(48);
        current_.title = t.title;
        emit currentChanged();
    }
    // Nothing new since the last save: the file, and its "updated" time, stay as they are.
    const QByteArray content = content_of(t);
    if (content == saved_) return true;
    t.updated = now_ms();
    current_.updated = t.updated;
    const bool ok = store_->save(t);
    if (ok) saved_ = content;
    list_->upsert(t);
    return ok;
}

void LibraryController::show(const Transcript& t) {
    loading_ = true;
    current_ = t;
    current_.messages.clear();
    messages_->setMessages(t.messages);
    settings_->resetToDefaults();
    presets_->applyDefaults(settings_);
    settings_->fromJson(t.settings);
    story_->setState(t.story);
    saved_ = content_of(current());
    loading_ = false;
    emit currentChanged();
}

void LibraryController::create(const QString& kind) {
    if (soon_.isActive() || streaming_.isActive()) saveNow();
    Transcript t = Transcript::create(kind, default_title(kind));
    // New conversations start from the app-wide defaults (a story from the storyteller preset).
    GenerationSettings fresh;
    presets_->applyDefaults(&fresh);
    if (kind == QLatin1String("story")) presets_->applyPreset(QStringLiteral("Storyteller"), &fresh);
    t.settings = fresh.toJson();
    show(t);
    saved_.clear(); // a new conversation is written even while empty
    saveNow();
}

void LibraryController::newChat() {
    if (!current_.id.isEmpty() && current_.kind == QLatin1String("chat") && isEmpty(current()))
        return; // already an empty chat
    create(QStringLiteral("chat"));
}

void LibraryController::newStory() {
    if (!current_.id.isEmpty() && current_.kind == QLatin1String("story") && isEmpty(current())) return;
    create(QStringLiteral("story"));
}

void LibraryController::open(const QString& id) {
    if (id == current_.id) return;
    const Transcript* t = list_->find(id);
    if (!t) return;
    if (!current_.id.isEmpty()) saveNow();
    const Transcript copy = *list_->find(id); // saveNow may have reordered the list
    show(copy);
    models_->ensureCurrent();
}

void LibraryController::rename(const QString& id, const QString& title) {
    const QString clean = title.simplified();
    if (clean.isEmpty()) return;
    if (id == current_.id) {
        current_.title = clean;
        emit currentChanged();
        saveNow();
        return;
    }
    const Transcript* found = list_->find(id);
    if (!found) return;
    Transcript t = *found;
    t.title = clean;
    store_->save(t);
    list_->upsert(t);
}

void LibraryController::duplicate(const QString& id) {
    if (id == current_.id) saveNow();
    const Transcript* found = list_->find(id);
    if (!found) return;
    Transcript copy = *found;
    copy.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    copy.title = tr("%1 (copy)").arg(found->title);
    copy.created = now_ms();
    copy.updated = copy.created;
    store_->save(copy);
    list_->upsert(copy);
    open(copy.id);
}

void LibraryController::remove(const QString& id) {
    if (id == current_.id) saveNow();
    const Transcript* found = list_->find(id);
    if (!found) return;
    if (!deleted_.id.isEmpty()) store_->emptyTrash(); // one level of undo
    deleted_ = *found;
    store_->moveToTrash(id);
    list_->remove(id);
    if (id == current_.id) {
        current_ = {};
        const QString next = list_->idAt(0);
        if (next.isEmpty())
            create(QStringLiteral("chat"));
        else
            open(next);
    }
    emit undoChanged();
}

void LibraryController::undoDelete() {
    if (deleted_.id.isEmpty()) return;
    const Transcript t = deleted_;
    deleted_ = {};
    if (!store_->restoreFromTrash(t.id)) store_->save(t);
    list_->upsert(t);
    emit undoChanged();
    open(t.id);
}

void LibraryController::forgetDelete() {
    if (deleted_.id.isEmpty()) return;
    deleted_ = {};
    store_->emptyTrash();
    emit undoChanged();
}

bool LibraryController::exportTo(const QString& id, const QUrl& file, const QString& format) {
    if (id == current_.id) saveNow();
    const Transcript* found = list_->find(id);
    if (!found) return false;
    const TranscriptStore::Format f = format == QLatin1String("json")  ? TranscriptStore::Format::Json
                                      : format == QLatin1String("txt") ? TranscriptStore::Format::Text
                                                                       : TranscriptStore::Format::Markdown;
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    const bool ok = store_->exportTo(*found, path, f);
    if (ok) setNotice(tr("Exported \"%1\" to %2.").arg(found->title, path));
    return ok;
}

bool LibraryController::importFrom(const QUrl& file) {
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    try {
        Transcript t = TranscriptStore::importFile(path);
        // An import is a new conversation, even when the same file is imported twice.
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.updated = now_ms();
        if (!store_->save(t)) return false;
        list_->upsert(t);
        open(t.id);
        return true;
    } catch (const std::exception& e) {
        setNotice(tr("Could not import: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

} // namespace fireside::ui
