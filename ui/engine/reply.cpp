#include "ui/engine/reply.h"

namespace fireside::ui {

Reply::Reply(quint64 id, QObject* parent) : QObject(parent), id_(id) {}

Reply::~Reply() { flags_->cancel = true; }

void Reply::abort() { flags_->cancel = true; }

void Reply::deliverPiece(quint64 id, const QString& text) {
    if (id != id_ || !running_) return;
    text_ += text;
    emit piece(text);
    flags_->piece_in_flight = false;
}

void Reply::deliverFinished(quint64 id, const QVariantMap& stats) {
    if (id != id_ || !running_) return;
    running_ = false;
    stats_ = stats;
    emit runningChanged();
    emit finished(stats);
}

void Reply::deliverFailed(quint64 id, const QString& message) {
    if (id != id_ || !running_) return;
    running_ = false;
    error_ = message;
    emit runningChanged();
    emit failed(message);
}

} // namespace fireside::ui
