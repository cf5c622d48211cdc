#pragma once

#include "ui/models/transcript.h"

#include <QAbstractListModel>

namespace fireside::ui {

// The conversation list in the sidebar: every transcript, newest first, filtered by `filter`
// (case-insensitive, matched against titles and message text).
class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ rowCountProperty NOTIFY countChanged)

public:
    enum Role { IdRole = Qt::UserRole + 1, TitleRole, KindRole, UpdatedRole, PreviewRole };

    explicit ConversationListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    int rowCountProperty() const { return rowCount(); }

    QString filter() const { return filter_; }
    void setFilter(const QString& filter);

    void setAll(const QList<Transcript>& all);
    // Adds or replaces by id; a changed `updated` moves it to the top.
    void upsert(const Transcript& transcript);
    void remove(const QString& id);
    const Transcript* find(const QString& id) const;
    Q_INVOKABLE int rowOf(const QString& id) const;
    Q_INVOKABLE QString idAt(int row) const;
    QList<Transcript> all() const { return all_; }

signals:
    void filterChanged();
    void countChanged();

private:
    void rebuild();
    bool matches(const Transcript& t) const;

    QList<Transcript> all_; // newest first
    QList<int> visible_;    // indexes into all_
    QString filter_;
};

} // namespace fireside::ui
