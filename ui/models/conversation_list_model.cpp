#include "ui/models/conversation_list_model.h"

#include <algorithm>

namespace fireside::ui {

ConversationListModel::ConversationListModel(QObject* parent) : QAbstractListModel(parent) {}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(visible_.size());
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {{IdRole, "conversationId"},
            {TitleRole, "title"},
            {KindRole, "kind"},
            {UpdatedRole, "updated"},
            {PreviewRole, "preview"}};
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= visible_.size()) return {};
    const Transcript& t = all_.at(visible_.at(index.row()));
    switch (role) {
    case IdRole:
        return t.id;
    case Qt::DisplayRole:
    case TitleRole:
        return t.title;
    case KindRole:
        return t.kind;
    case UpdatedRole:
        return t.updated.toLocalTime();
    case PreviewRole:
        if (t.kind == QLatin1String("story")) return t.story.text.left(80).simplified();
        return t.messages.isEmpty() ? QString() : t.messages.last().text().left(80).simplified();
    }
    return {};
}

void ConversationListModel::setFilter(const QString& filter) {
    if (filter == filter_) return;
    filter_ = filter;
    rebuild();
    emit filterChanged();
}

bool ConversationListModel::matches(const Transcript& t) const {
    const QString f = filter_.trimmed();
    if (f.isEmpty() || t.title.contains(f, Qt::CaseInsensitive) ||
        t.story.text.contains(f, Qt::CaseInsensitive))
        return true;
    return std::any_of(t.messages.begin(), t.messages.end(),
                       [&](const ChatMessage& m) { return m.text().contains(f, Qt::CaseInsensitive); });
}

void ConversationListModel::rebuild() {
    beginResetModel();
    visible_.clear();
    for (int i = 0; i < all_.size(); ++i)
        if (matches(all_[i])) visible_.append(i);
    endResetModel();
    emit countChanged();
}

void ConversationListModel::setAll(const QList<Transcript>& all) {
    all_ = all;
    std::stable_sort(all_.begin(), all_.end(),
                     [](const Transcript& a, const Transcript& b) { return a.updated > b.updated; });
    rebuild();
}

void ConversationListModel::upsert(const Transcript& transcript) {
    for (int i = 0; i < all_.size(); ++i) {
        if (all_[i].id != transcript.id) continue;
        const bool newer = all_[i].updated != transcript.updated || all_[i].title != transcript.title;
        const qsizetype row = visible_.indexOf(i);
        all_[i] = transcript;
        // A newer conversation moves to the top; one whose text now matches the search, or no longer
        // does, appears or disappears. Otherwise only its row changes.
        if ((newer && i != 0) || (row >= 0) != matches(all_[i])) {
            if (newer) all_.move(i, 0);
            rebuild();
        } else if (row >= 0) {
            emit dataChanged(index(static_cast<int>(row)), index(static_cast<int>(row)));
        }
        return;
    }
    all_.prepend(transcript);
    rebuild();
}

void ConversationListModel::remove(const QString& id) {
    for (int i = 0; i < all_.size(); ++i) {
        if (all_[i].id == id) {
            all_.removeAt(i);
            rebuild();
            return;
        }
    }
}

const Transcript* ConversationListModel::find(const QString& id) const {
    for (const Transcript& t : all_)
        if (t.id == id) return &t;
    return nullptr;
}

int ConversationListModel::rowOf(const QString& id) const {
    for (int r = 0; r < visible_.size(); ++r)
        if (all_[visible_[r]].id == id) return r;
    return -1;
}

QString ConversationListModel::idAt(int row) const {
    return row >= 0 && row < visible_.size() ? all_[visible_[row]].id : QString();
}

} // namespace fireside::ui
