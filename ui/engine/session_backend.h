#pragma once

#include "ui/engine/engine_backend.h"

#include <memory>

namespace fireside {
class ChatSession;
class LlamaModel;
} // namespace fireside

namespace fireside::ui {

// The real engine: a LlamaModel and the ChatSession over it. Created and used on the worker thread.
class SessionBackend : public EngineBackend {
public:
    SessionBackend();
    ~SessionBackend() override;

    QVariantMap load(const LoadRequest& request, const std::function<void(double)>& progress,
                     const std::atomic<bool>& cancel) override;
    void unload() override;
    bool loaded() const override { return model_ != nullptr; }
    GenerationStats generate(const GenerationRequest& request, const TextSink& sink,
                             const std::atomic<bool>* cancel) override;

private:
    std::unique_ptr<LlamaModel> model_;
    std::unique_ptr<ChatSession> session_;
    TemplateChoice template_;
};

// Builds the template a choice names; throws Error for an unknown name or an invalid custom spec.
PromptTemplate make_template(const TemplateChoice& choice);

} // namespace fireside::ui
