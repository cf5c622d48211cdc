#pragma once

#include "ui/models/transcript.h"

#include <QAbstractListModel>

namespace fireside::ui {

// The messages of the open chat, for the chat view. Rows are ChatMessages; the text shown is the
// current alternative. All edits go through the methods below so that views and autosave follow.
class MessageModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role {
        RoleRole = Qt::UserRole + 1,
        TextRole,    // the current alternative, as shown (an answer's leading space trimmed)
        RawTextRole, // the current alternative exactly as stored
        BlocksRole,  // markdown_blocks() of the text
        AlternativeCountRole,
        AlternativeIndexRole,
        StreamingRole,
        CreatedRole,
        StatsRole,
    };

    explicit MessageModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(messages_.size()); }
    const QList<ChatMessage>& messages() const { return messages_; }
    const ChatMessage& at(int row) const { return messages_.at(row); }
    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE QString roleAt(int row) const;

    void setMessages(const QList<ChatMessage>& messages);
    int append(const QString& role, const QString& text);
    void appendText(int row, const QString& piece);
    void setText(int row, const QString& text);
    // Adds an empty alternative and makes it current.
    void addAlternative(int row);
    void setAlternative(int row, int index);
    void setStreaming(int row, bool streaming);
    void setStats(int row, const QVariantMap& stats);
    void remove(int row);
    // Removes every row from `row` on.
    void truncate(int row);

signals:
    void countChanged();
    // Any change that belongs in the transcript.
    void edited();
    // Text streamed into an answer: saved at least once a second rather than at once.
    void streamed();

private:
    void changed(int row, const QList<int>& roles);

    QList<ChatMessage> messages_;
};

} // namespace fireside::ui
