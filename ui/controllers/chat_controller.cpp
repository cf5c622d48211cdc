#include "ui/controllers/chat_controller.h"

#include "ui/controllers/generation_status.h"
#include "ui/controllers/model_controller.h"
#include "ui/engine/engine_worker.h"
#include "ui/engine/reply.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"

namespace fireside::ui {

namespace {

ChatRole chat_role(const QString& role) {
    return role == QLatin1String("user") ? ChatRole::User : ChatRole::Assistant;
}

// The turns of messages [0, end): consecutive messages of one role (left by a delete) merge, and the
// conversation starts with the user, as the template requires.
Conversation conversation_of(const MessageModel& messages, int end) {
    Conversation c;
    for (int i = 0; i < end; ++i) {
        const ChatMessage& m = messages.at(i);
        const ChatRole role = chat_role(m.role);
        if (c.turns.empty() && role == ChatRole::Assistant) continue;
        if (!c.turns.empty() && c.turns.back().role == role) {
            c.turns.back().text += "\n\n" + m.text().toStdString();
            continue;
        }
        c.turns.push_back({role, m.text().toStdString()});
    }
    return c;
}

} // namespace

ChatController::ChatController(EngineWorker* worker, ModelController* models, MessageModel* messages,
                               GenerationSettings* settings, GenerationStatus* status, QObject* parent)
    : QObject(parent), worker_(worker), models_(models), messages_(messages), settings_(settings),
      status_(status) {}

void ChatController::setError(const QString& error) {
    if (error_ == error) return;
    error_ = error;
    emit errorChanged();
}

void ChatController::clearError() {
    setError({});
}

bool ChatController::canGenerate() {
    if (busy()) return false;
    if (!models_->available()) {
        setError(tr("Open a model first (Ctrl+O, or drop a .bin or .gguf file onto the window)."));
        return false;
    }
    clearError();
    return true;
}

bool ChatController::send(const QString& text) {
    if (text.trimmed().isEmpty() || !canGenerate()) return false;
    messages_->append(QStringLiteral("user"), text);
    const int row = messages_->append(QStringLiteral("assistant"), QString());
    generateInto(row, false);
    return true;
}

bool ChatController::regenerate(int row) {
    if (messages_->roleAt(row) != QLatin1String("assistant") || !canGenerate()) return false;
    messages_->truncate(row + 1);
    messages_->addAlternative(row);
    generateInto(row, false);
    return true;
}

bool ChatController::editAndResend(int row, const QString& text) {
    if (messages_->roleAt(row) != QLatin1String("user") || text.trimmed().isEmpty() || !canGenerate())
        return false;
    messages_->truncate(row + 1);
    if (text != messages_->textAt(row)) {
        // The earlier wording stays as an alternative of the message.
        messages_->addAlternative(row);
        messages_->setText(row, text);
    }
    const int answer = messages_->append(QStringLiteral("assistant"), QString());
    generateInto(answer, false);
    return true;
}

bool ChatController::continueReply() {
    const int row = messages_->count() - 1;
    if (messages_->roleAt(row) != QLatin1String("assistant") || !canGenerate()) return false;
    generateInto(row, true);
    return true;
}

void ChatController::deleteMessage(int row) {
    if (busy() && row >= row_) return; // the answer being written goes with Stop, not Delete
    messages_->remove(row);
    if (busy() && row < row_) --row_;
}

void ChatController::showAlternative(int row, int index) {
    if (busy() && row == row_) return;
    messages_->setAlternative(row, index);
}

void ChatController::stop() {
    if (reply_) reply_->abort();
}

void ChatController::generateInto(int row, bool continuing) {
    models_->ensureCurrent(); // a changed context or GPU-layer setting reloads before this answer
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::Chat;
    request.conversation = conversation_of(*messages_, continuing ? row + 1 : row);
    request.conversation.system = settings_->system();
    request.prompt_template = settings_->templateChoice();
    request.options = settings_->generationOptions();
    row_ = row;
    reply_ = worker_->generate(request, this);
    messages_->setStreaming(row, true);
    connect(reply_, &Reply::piece, this,
            [this](const QString& piece) { messages_->appendText(row_, piece); });
    connect(reply_, &Reply::finished, this, [this](const QVariantMap& stats) {
        messages_->setStats(row_, stats);
        status_->setStats(stats);
        finish();
        emit answered();
    });
    connect(reply_, &Reply::failed, this, [this](const QString& message) {
        setError(message);
        finish();
    });
    status_->setGenerating(true);
    emit busyChanged();
}

void ChatController::finish() {
    const int row = row_;
    Reply* reply = reply_;
    reply_ = nullptr;
    if (reply) reply->deleteLater();
    messages_->setStreaming(row, false);
    // An answer that never started leaves no empty bubble behind.
    if (messages_->textAt(row).isEmpty() && messages_->at(row).alternatives.size() == 1)
        messages_->remove(row);
    status_->setGenerating(false);
    emit busyChanged();
}

} // namespace fireside::ui
