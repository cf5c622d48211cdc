#pragma once

#include "engine/sampling/sampler_settings.h"
#include "engine/session/prompt_template.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fireside {

class LlamaModel;

// What one generation may do.
struct GenerationOptions {
    SamplerSettings sampler;
    int32_t max_new_tokens = -1;           // -1: until EOS, a stop string or cancellation
    std::vector<std::string> stop_strings; // in addition to the template's own
    bool ignore_eos = false;               // never end on the end-of-text token (llama.cpp's --ignore-eos)
    // Stream the exact bytes of the tokens (llama.cpp main's output: no leading space dropped, invalid
    // UTF-8 passed through) instead of display text.
    bool raw_text = false;
};

enum class FinishReason { EndOfText, StopString, MaxTokens, Cancelled };

struct GenerationStats {
    FinishReason reason = FinishReason::EndOfText;
    int64_t prompt_tokens = 0; // tokens evaluated for the prompt (the new ones only: the cache is reused)
    int64_t generated_tokens = 0;
    double prompt_seconds = 0;
    double generation_seconds = 0;
    int64_t context_used = 0; // positions in the KV cache after the generation
    int64_t context_size = 0;
    int64_t dropped_turns = 0; // turns left out because the context was full
    int64_t reused_tokens = 0; // prompt tokens whose keys and values were already cached
    // The answer as the model produced it (raw token text, before a stop string): what to store as the
    // assistant turn. Storing the streamed display text works too; this reuses the most cache.
    std::string answer;
    std::vector<int32_t> tokens; // the sampled token ids, EOS included when it ended the answer
};

// Receives the answer's text as it streams, in whole UTF-8 characters.
using TextSink = std::function<void(std::string_view text)>;

// A story (notebook-style) prompt: memory at the top of the context, the story text, and an author's
// note inserted a few lines before the end of the text.
struct StoryPrompt {
    std::string memory;
    std::string text;
    std::string authors_note;
    int32_t authors_note_depth = 3; // lines from the end of the text
};

// A conversation with a loaded model. Stateless for its callers: each call gets the whole
// conversation, and the session evaluates only the tokens that differ from what its KV cache already
// holds (multi-turn chat, edits and regenerations reuse the common prefix). When the context fills, it
// keeps the system prompt and drops the oldest turns, reusing the kept cache (keys re-rotated) rather
// than recomputing it, so a long conversation or story never fails for lack of context (a story loses
// its oldest lines instead of turns; both count in dropped_turns). When nothing is left to drop, the
// answer ends with FinishReason::MaxTokens; a single prompt longer than the context throws Error.
// Cancellation (`cancel` set to true from any thread) is honoured within one token.
class ChatSession {
public:
    ChatSession(LlamaModel& model, PromptTemplate prompt_template);
    ~ChatSession();

    void set_template(PromptTemplate prompt_template);
    const PromptTemplate& prompt_template() const;

    // The conversation must end with a user turn (the answer is generated) or with an assistant turn
    // (that answer is continued).
    GenerationStats reply(const Conversation& conversation, const GenerationOptions& options,
                          const TextSink& sink, const std::atomic<bool>* cancel = nullptr);

    // Continues a story.
    GenerationStats continue_story(const StoryPrompt& story, const GenerationOptions& options,
                                   const TextSink& sink, const std::atomic<bool>* cancel = nullptr);

    int64_t context_used() const;
    int64_t context_size() const;
    // The tokens whose keys and values the cache holds, position by position.
    const std::vector<int32_t>& context_tokens() const;
    // Forgets the cache; the next call evaluates its prompt from the start.
    void clear();

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace fireside
