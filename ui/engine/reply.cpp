#include "ui/engine/reply.h"

#include <QTimer>

namespace fireside::ui {

namespace {
constexpr qint64 kFrameMs = 16; // no use redrawing faster than the display does
}

Reply::Reply(quint64 id, QObject* parent) : QObject(parent), id_(id) {
    clock_.start();
}

Reply::~Reply() {
    flags_->cancel = true;
}

void Reply::abort() {
    flags_->cancel = true;
}

void Reply::deliverPiece(quint64 id, const QString& text) {
    if (id != id_ || !running_) return;
    text_ += text;
    emit piece(text);
    const qint64 since = clock_.elapsed() - last_piece_ms_;
    last_piece_ms_ = clock_.elapsed();
    if (since >= kFrameMs) {
        flags_->piece_in_flight = false;
    } else if (!release_pending_) {
        release_pending_ = true;
        QTimer::singleShot(kFrameMs - since, this, &Reply::release);
    }
}

void Reply::release() {
    release_pending_ = false;
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
