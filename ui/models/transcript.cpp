#include "ui/models/transcript.h"

#include "engine/core/error.h"

#include <QJsonArray>
#include <QUuid>

namespace fireside::ui {

namespace {

const QString kFormat = QStringLiteral("fireside-transcript");

QString iso(const QDateTime& t) {
    return t.toUTC().toString(Qt::ISODateWithMs);
}
QDateTime from_iso(const QJsonValue& v) {
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

[[noreturn]] void bad(const QString& what) {
    throw Error(("transcript: " + what).toStdString());
}

} // namespace

Transcript Transcript::create(const QString& kind, const QString& title) {
    Transcript t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.kind = kind;
    t.title = title;
    // Millisecond precision: what the file stores is what a reload gives back.
    t.created = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    t.updated = t.created;
    return t;
}

QJsonObject Transcript::toJson() const {
    QJsonArray messages_json;
    for (const ChatMessage& m : messages) {
        messages_json.append(QJsonObject{{"role", m.role},
                                         {"alternatives", QJsonArray::fromStringList(m.alternatives)},
                                         {"current", m.current},
                                         {"created", iso(m.created)},
                                         {"stats", QJsonObject::fromVariantMap(m.stats)}});
    }
    QJsonObject story_json{{"text", story.text},
                           {"memory", story.memory},
                           {"authorsNote", story.authorsNote},
                           {"undo", QJsonArray::fromStringList(story.undo)},
                           {"retryBase", story.retryBase},
                           {"continuations", QJsonArray::fromStringList(story.continuations)},
                           {"current", story.current}};
    return QJsonObject{{"format", kFormat},
                       {"version", 1},
                       {"id", id},
                       {"title", title},
                       {"kind", kind},
                       {"created", iso(created)},
                       {"updated", iso(updated)},
                       {"model", model},
                       {"settings", settings},
                       {"template", settings.value("template")},
                       {"seed", settings.value("seed")},
                       {"messages", messages_json},
                       {"story", story_json}};
}

Transcript Transcript::fromJson(const QJsonObject& json) {
    if (json.value("format").toString() != kFormat) bad(QStringLiteral("not a Fireside transcript"));
    if (json.value("version").toInt() != 1)
        bad(QStringLiteral("version %1 is not supported").arg(json.value("version").toInt()));
    Transcript t;
    t.id = json.value("id").toString();
    if (t.id.isEmpty()) bad(QStringLiteral("it has no id"));
    t.title = json.value("title").toString();
    t.kind = json.value("kind").toString();
    if (t.kind != "chat" && t.kind != "story") bad(QStringLiteral("unknown kind \"%1\"").arg(t.kind));
    t.created = from_iso(json.value("created"));
    t.updated = from_iso(json.value("updated"));
    t.model = json.value("model").toObject();
    t.settings = json.value("settings").toObject();
    const QJsonArray messages = json.value("messages").toArray();
    for (const QJsonValue& v : messages) {
        const QJsonObject o = v.toObject();
        ChatMessage m;
        m.role = o.value("role").toString();
        if (m.role != "user" && m.role != "assistant")
            bad(QStringLiteral("a message has role \"%1\"").arg(m.role));
        m.alternatives.clear();
        for (const QJsonValue& a : o.value("alternatives").toArray()) m.alternatives << a.toString();
        if (m.alternatives.isEmpty()) m.alternatives << QString();
        m.current = qBound(0, o.value("current").toInt(), int(m.alternatives.size()) - 1);
        m.created = from_iso(o.value("created"));
        m.stats = o.value("stats").toObject().toVariantMap();
        t.messages.append(m);
    }
    const QJsonObject s = json.value("story").toObject();
    t.story.text = s.value("text").toString();
    t.story.memory = s.value("memory").toString();
    t.story.authorsNote = s.value("authorsNote").toString();
    for (const QJsonValue& v : s.value("undo").toArray()) t.story.undo << v.toString();
    t.story.retryBase = s.value("retryBase").toString();
    for (const QJsonValue& v : s.value("continuations").toArray()) t.story.continuations << v.toString();
    t.story.current = qBound(0, s.value("current").toInt(), qMax(0, int(t.story.continuations.size()) - 1));
    return t;
}

} // namespace fireside::ui
