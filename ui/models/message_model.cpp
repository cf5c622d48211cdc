#include "ui/models/message_model.h"

#include "ui/models/markdown_blocks.h"

namespace fireside::ui {

MessageModel::MessageModel(QObject* parent) : QAbstractListModel(parent) {}

int MessageModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QHash<int, QByteArray> MessageModel::roleNames() const {
    return {{RoleRole, "role"},
            {TextRole, "text"},
            {RawTextRole, "rawText"},
            {BlocksRole, "blocks"},
            {AlternativeCountRole, "alternativeCount"},
            {AlternativeIndexRole, "alternativeIndex"},
            {StreamingRole, "streaming"},
            {CreatedRole, "created"},
            {StatsRole, "stats"}};
}

QVariant MessageModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= count()) return {};
    const ChatMessage& m = messages_.at(index.row());
    switch (role) {
    case RoleRole:
        return m.role;
    case Qt::DisplayRole:
    case TextRole:
        return m.role == QLatin1String("assistant") ? m.text().trimmed() : m.text();
    case RawTextRole:
        return m.text();
    case BlocksRole:
        return markdown_blocks(m.text());
    case AlternativeCountRole:
        return int(m.alternatives.size());
    case AlternativeIndexRole:
        return m.current;
    case StreamingRole:
        return m.streaming;
    case CreatedRole:
        return m.created;
    case StatsRole:
        return m.stats;
    }
    return {};
}

QString MessageModel::textAt(int row) const {
    return row >= 0 && row < count() ? messages_[row].text() : QString();
}
QString MessageModel::roleAt(int row) const {
    return row >= 0 && row < count() ? messages_[row].role : QString();
}

void MessageModel::changed(int row, const QList<int>& roles) {
    const QModelIndex i = index(row);
    emit dataChanged(i, i, roles);
    emit edited();
}

void MessageModel::setMessages(const QList<ChatMessage>& messages) {
    beginResetModel();
    messages_ = messages;
    endResetModel();
    emit countChanged();
}

int MessageModel::append(const QString& role, const QString& text) {
    ChatMessage m;
    m.role = role;
    m.alternatives = {text};
    m.created = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    const int row = count();
    beginInsertRows({}, row, row);
    messages_.append(m);
    endInsertRows();
    emit countChanged();
    emit edited();
    return row;
}

void MessageModel::appendText(int row, const QString& piece) {
    if (row < 0 || row >= count()) return;
    ChatMessage& m = messages_[row];
    m.alternatives[m.current] += piece;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {TextRole, RawTextRole, BlocksRole, Qt::DisplayRole});
    emit streamed();
}

void MessageModel::setText(int row, const QString& text) {
    if (row < 0 || row >= count()) return;
    ChatMessage& m = messages_[row];
    m.alternatives[m.current] = text;
    changed(row, {TextRole, RawTextRole, BlocksRole, Qt::DisplayRole});
}

void MessageModel::addAlternative(int row) {
    if (row < 0 || row >= count()) return;
    ChatMessage& m = messages_[row];
    m.alternatives.append(QString());
    m.current = int(m.alternatives.size()) - 1;
    changed(row,
            {TextRole, RawTextRole, BlocksRole, Qt::DisplayRole, AlternativeCountRole, AlternativeIndexRole});
}

void MessageModel::setAlternative(int row, int index) {
    if (row < 0 || row >= count()) return;
    ChatMessage& m = messages_[row];
    if (index < 0 || index >= m.alternatives.size() || index == m.current) return;
    m.current = index;
    changed(row, {TextRole, RawTextRole, BlocksRole, Qt::DisplayRole, AlternativeIndexRole});
}

void MessageModel::setStreaming(int row, bool streaming) {
    if (row < 0 || row >= count() || messages_[row].streaming == streaming) return;
    messages_[row].streaming = streaming;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {StreamingRole});
}

void MessageModel::setStats(int row, const QVariantMap& stats) {
    if (row < 0 || row >= count()) return;
    messages_[row].stats = stats;
    changed(row, {StatsRole});
}

void MessageModel::remove(int row) {
    if (row < 0 || row >= count()) return;
    beginRemoveRows({}, row, row);
    messages_.removeAt(row);
    endRemoveRows();
    emit countChanged();
    emit edited();
}

void MessageModel::truncate(int row) {
    if (row < 0 || row >= count()) return;
    beginRemoveRows({}, row, count() - 1);
    messages_.resize(row);
    endRemoveRows();
    emit countChanged();
    emit edited();
}

} // namespace fireside::ui
