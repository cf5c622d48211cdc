#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace fireside::ui {

// One chat message with every answer the model gave at this place (regenerations and edits add
// alternatives; `current` is the one shown and sent).
struct ChatMessage {
    QString role; // "user" or "assistant"
    QStringList alternatives{QString()};
    int current = 0;
    QDateTime created;
    QVariantMap stats;      // of the last generation into this message
    bool streaming = false; // not saved

    QString text() const { return alternatives.value(current); }
    bool operator==(const ChatMessage& o) const {
        return role == o.role && alternatives == o.alternatives && current == o.current &&
               created == o.created;
    }
};

// A story: one continuous text, with the retry alternatives of its last continuation and an undo
// history of earlier texts.
struct StoryState {
    QString text;
    QString memory;
    QString authorsNote;
    QStringList undo;
    QString retryBase;         // the text the alternatives continue
    QStringList continuations; // alternatives for what follows retryBase
    int current = 0;

    bool operator==(const StoryState&) const = default;
};

// Everything a conversation file holds.
struct Transcript {
    QString id;
    QString title;
    QString kind = QStringLiteral("chat"); // "chat" or "story"
    QDateTime created;
    QDateTime updated;
    QList<ChatMessage> messages;
    StoryState story;
    QJsonObject settings; // GenerationSettings::toJson(), template included
    QJsonObject model;    // {file, size, headerHash} of the model that answered last

    bool operator==(const Transcript&) const = default;

    static Transcript create(const QString& kind, const QString& title);
    QJsonObject toJson() const;
    // Throws fireside::Error naming what is wrong.
    static Transcript fromJson(const QJsonObject& json);
};

} // namespace fireside::ui
