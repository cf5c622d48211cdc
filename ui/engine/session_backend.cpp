#include "ui/engine/session_backend.h"

#include "engine/core/error.h"
#include "engine/model/llama_model.h"
#include "engine/session/chat_session.h"
#include "engine/session/model_loader.h"
#include "ui/engine/model_info.h"

#include <algorithm>

namespace fireside::ui {

SessionBackend::SessionBackend() = default;
SessionBackend::~SessionBackend() = default;

PromptTemplate make_template(const TemplateChoice& choice) {
    if (choice.name == "custom") return PromptTemplate::parse("custom", choice.custom_spec);
    return PromptTemplate::builtin(choice.name);
}

QVariantMap SessionBackend::load(const LoadRequest& request, const std::function<void(double)>& progress,
                                 const std::atomic<bool>& cancel) {
    // The old model goes first: two large models need not fit in memory at once.
    unload();
    LoadOptions options;
    options.path = request.path.toStdString();
    options.overrides.rope_freq_base = request.rope_freq_base;
    options.overrides.rope_freq_scale = request.rope_freq_scale;
    options.n_ctx = request.n_ctx;
    options.n_threads = request.n_threads;
    // The slider's "auto" (-1) is the engine's kAutoGpuLayers: as many layers as the GPU's memory holds.
    options.gpu_layers = request.gpu_layers < 0 ? kAutoGpuLayers : request.gpu_layers;
    options.device = request.gpu_device.toStdString();
    auto model = load_model(options, progress, &cancel);
    const QString cpu = model->n_threads() == 1 ? QStringLiteral("CPU, 1 thread")
                                                : QStringLiteral("CPU, %1 threads").arg(model->n_threads());
    const QString device = model->n_gpu_layers() == 0
                               ? cpu
                               : QStringLiteral("%1: %2 of %3 layers · %4")
                                     .arg(QString::fromStdString(model->gpu_device_name()))
                                     .arg(model->n_gpu_layers())
                                     .arg(model->desc().n_layer + 1)
                                     .arg(cpu);
    QVariantMap info = model_info(request.path, model->desc(), model->n_ctx(), device);
    session_ = std::make_unique<ChatSession>(*model, make_template(template_));
    model_ = std::move(model);
    return info;
}

void SessionBackend::unload() {
    session_.reset();
    model_.reset();
}

GenerationStats SessionBackend::generate(const GenerationRequest& request, const TextSink& sink,
                                         const std::atomic<bool>* cancel) {
    if (!session_) throw Error("no model is loaded: open a model first");
    if (!(request.prompt_template == template_)) {
        session_->set_template(make_template(request.prompt_template));
        template_ = request.prompt_template;
    }
    if (request.kind == GenerationRequest::Kind::Story)
        return session_->continue_story(request.story, request.options, sink, cancel);
    return session_->reply(request.conversation, request.options, sink, cancel);
}

} // namespace fireside::ui
