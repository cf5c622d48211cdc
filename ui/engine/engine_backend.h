#pragma once

#include "ui/engine/engine_requests.h"

#include <QVariantMap>
#include <atomic>
#include <functional>

namespace fireside::ui {

// The engine as the worker thread sees it: a model and a session behind three calls. The worker owns
// one backend and calls it only from its own thread; the real one drives ChatSession, and tests may
// drive the worker's mechanics with another.
class EngineBackend {
public:
    virtual ~EngineBackend() = default;

    // Replaces any loaded model. Returns the model's description for the window (see model_info.h).
    // Throws fireside::Error with a readable message, or fireside::Cancelled when `cancel` is set.
    virtual QVariantMap load(const LoadRequest& request, const std::function<void(double)>& progress,
                             const std::atomic<bool>& cancel) = 0;
    virtual void unload() = 0;
    virtual bool loaded() const = 0;

    // Streams the answer to `sink`. Throws fireside::Error when nothing is loaded or the request is bad.
    virtual GenerationStats generate(const GenerationRequest& request, const TextSink& sink,
                                     const std::atomic<bool>* cancel) = 0;
};

} // namespace fireside::ui
