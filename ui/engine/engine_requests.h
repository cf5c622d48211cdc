#pragma once

#include "engine/model/model_desc.h"
#include "engine/session/chat_session.h"

#include <QString>
#include <optional>
#include <string>

namespace fireside::ui {

// What the worker needs to load a model. Everything here changes the loaded weights or the KV cache,
// so any difference from the loaded model's request means a reload.
struct LoadRequest {
    QString path;
    int64_t n_ctx = 0;   // 0: the model's training context, at most 4096
    int n_threads = 0;   // 0: one per physical core
    int gpu_layers = -1; // -1: auto; 0: CPU only
    QString gpu_device;  // the Vulkan device's name; empty: the best device
    std::optional<float> rope_freq_base;
    std::optional<float> rope_freq_scale;

    bool operator==(const LoadRequest&) const = default;
};

// The prompt template a generation uses: a built-in name, or a custom spec (PromptTemplate syntax).
struct TemplateChoice {
    std::string name = "orca-hashes";
    std::string custom_spec; // used when name is "custom"

    bool operator==(const TemplateChoice&) const = default;
};

// One generation: a chat reply (the conversation ends with a user turn, or with an assistant turn to
// continue) or a story continuation.
struct GenerationRequest {
    enum class Kind { Chat, Story };
    Kind kind = Kind::Chat;
    Conversation conversation;
    StoryPrompt story;
    TemplateChoice prompt_template;
    GenerationOptions options;
};

} // namespace fireside::ui
