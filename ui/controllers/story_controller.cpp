#include "ui/controllers/story_controller.h"

#include "ui/controllers/generation_status.h"
#include "ui/controllers/model_controller.h"
#include "ui/engine/engine_worker.h"
#include "ui/engine/reply.h"
#include "ui/models/generation_settings.h"

namespace fireside::ui {

namespace {
constexpr int kMaxUndo = 100;
}

StoryController::StoryController(EngineWorker* worker, ModelController* models, GenerationSettings* settings,
                                 GenerationStatus* status, QObject* parent)
    : QObject(parent), worker_(worker), models_(models), settings_(settings), status_(status) {}

void StoryController::setError(const QString& error) {
    if (error_ == error) return;
    error_ = error;
    emit errorChanged();
}

void StoryController::clearError() {
    setError({});
}

void StoryController::setText(const QString& text) {
    if (busy() || text == state_.text) return;
    state_.text = text;
    emit textChanged();
    emit edited();
}

void StoryController::setMemory(const QString& memory) {
    if (memory == state_.memory) return;
    state_.memory = memory;
    emit memoryChanged();
    emit edited();
}

void StoryController::setAuthorsNote(const QString& note) {
    if (note == state_.authorsNote) return;
    state_.authorsNote = note;
    emit authorsNoteChanged();
    emit edited();
}

void StoryController::setState(const StoryState& state) {
    if (reply_) {
        reply_->abort();
        finish();
    }
    state_ = state;
    emit textChanged();
    emit memoryChanged();
    emit authorsNoteChanged();
    emit historyChanged();
}

bool StoryController::canGenerate() {
    if (busy()) return false;
    if (!models_->available()) {
        setError(tr("Open a model first (Ctrl+O, or drop a .bin or .gguf file onto the window)."));
        return false;
    }
    clearError();
    return true;
}

bool StoryController::continueStory() {
    if (!canGenerate()) return false;
    state_.undo.append(state_.text);
    while (state_.undo.size() > kMaxUndo) state_.undo.removeFirst();
    state_.retryBase = state_.text;
    state_.continuations = {QString()};
    state_.current = 0;
    generate();
    return true;
}

bool StoryController::retry() {
    if (state_.continuations.isEmpty() || !canGenerate()) return false;
    state_.continuations.append(QString());
    state_.current = int(state_.continuations.size()) - 1;
    state_.text = state_.retryBase;
    emit textChanged();
    generate();
    return true;
}

void StoryController::undo() {
    if (busy() || state_.undo.isEmpty()) return;
    state_.text = state_.undo.takeLast();
    state_.retryBase.clear();
    state_.continuations.clear();
    state_.current = 0;
    emit textChanged();
    emit historyChanged();
    emit edited();
}

void StoryController::showAlternative(int index) {
    if (busy() || index < 0 || index >= state_.continuations.size()) return;
    state_.current = index;
    state_.text = state_.retryBase + state_.continuations[index];
    emit textChanged();
    emit historyChanged();
    emit edited();
}

void StoryController::stop() {
    if (reply_) reply_->abort();
}

void StoryController::generate() {
    models_->ensureCurrent();
    GenerationRequest request;
    request.kind = GenerationRequest::Kind::Story;
    request.story.memory = state_.memory.toStdString();
    request.story.text = state_.text.toStdString();
    request.story.authors_note = state_.authorsNote.toStdString();
    request.prompt_template = settings_->templateChoice();
    request.options = settings_->generationOptions();
    reply_ = worker_->generate(request, this);
    connect(reply_, &Reply::piece, this, [this](const QString& piece) {
        state_.text += piece;
        state_.continuations[state_.current] += piece;
        emit textChanged();
        emit streamed();
    });
    connect(reply_, &Reply::finished, this, [this](const QVariantMap& stats) {
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
    emit historyChanged();
    emit edited();
}

void StoryController::finish() {
    Reply* reply = reply_;
    reply_ = nullptr;
    if (reply) reply->deleteLater();
    status_->setGenerating(false);
    emit busyChanged();
    emit historyChanged();
    emit edited();
}

} // namespace fireside::ui
