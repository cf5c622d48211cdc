#pragma once

#include <QObject>
#include <QVariantMap>

namespace fireside::ui {

// What the status bar shows about generation: the statistics of the last answer (prompt and
// generation tokens/s, context used and size) and whether one is streaming.
class GenerationStatus : public QObject {
    Q_OBJECT
    Q_PROPERTY(QVariantMap stats READ stats NOTIFY statsChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)

public:
    using QObject::QObject;

    QVariantMap stats() const { return stats_; }
    bool generating() const { return generating_; }
    void setStats(const QVariantMap& stats) {
        stats_ = stats;
        emit statsChanged();
    }
    void setGenerating(bool generating) {
        if (generating_ == generating) return;
        generating_ = generating;
        emit generatingChanged();
    }

signals:
    void statsChanged();
    void generatingChanged();

private:
    QVariantMap stats_;
    bool generating_ = false;
};

} // namespace fireside::ui
