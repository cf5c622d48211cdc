#include "engine/session/chat_session.h"

#include "engine/core/error.h"
#include "engine/model/llama_model.h"
#include "engine/sampling/sampler.h"
#include "engine/session/context_window.h"
#include "engine/session/stop_strings.h"
#include "engine/session/story_prompt.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/utf8.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <map>

namespace fireside {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Shifting a run of cached positions costs a pass over the cache; for a few tokens re-evaluating is
// as cheap.
constexpr size_t kMinShiftRun = 8;
// Answers whose display text the session remembers, to map it back to the raw text it came from.
constexpr size_t kMaxRememberedAnswers = 64;

// What a prompt is made of, and how to make it shorter when the context is full.
class PromptSource {
public:
    virtual ~PromptSource() = default;
    // The prompt with `generated` (raw text generated so far) appended to it.
    virtual std::vector<PromptPiece> render(const std::string& generated) const = 0;
    // Leaves out the oldest droppable part; false when nothing is left to drop.
    virtual bool drop_oldest() = 0;
};

std::vector<PromptPiece> with_text(std::vector<PromptPiece> pieces, const std::string& text) {
    if (text.empty()) return pieces;
    if (!pieces.empty() && pieces.back().kind == PromptPiece::Kind::Text)
        pieces.back().text += text;
    else
        pieces.push_back({PromptPiece::Kind::Text, text});
    return pieces;
}

class ConversationSource final : public PromptSource {
public:
    ConversationSource(const PromptTemplate& prompt_template, Conversation conversation)
        : template_(prompt_template), conversation_(std::move(conversation)) {
        if (conversation_.turns.empty()) throw Error("the conversation has no turns to answer");
        // An answer being continued is rendered without its end-of-answer suffix.
        if (conversation_.turns.back().role == ChatRole::Assistant) {
            continued_ = conversation_.turns.back().text;
            conversation_.turns.pop_back();
        }
        template_.render(conversation_); // validates the turn order now, before anything is evaluated
    }

    std::vector<PromptPiece> render(const std::string& generated) const override {
        return with_text(template_.render(conversation_), continued_ + generated);
    }

    bool drop_oldest() override {
        // The last user turn (and the answer being continued) always stays.
        if (conversation_.turns.size() < 3) return false;
        conversation_.turns.erase(conversation_.turns.begin(), conversation_.turns.begin() + 2);
        return true;
    }

private:
    const PromptTemplate& template_;
    Conversation conversation_;
    std::string continued_;
};

class StorySource final : public PromptSource {
public:
    explicit StorySource(StoryPrompt story) : story_(std::move(story)) {}

    std::vector<PromptPiece> render(const std::string& generated) const override {
        StoryPrompt s = story_;
        s.text += generated;
        return {PromptPiece{PromptPiece::Kind::Bos, {}},
                PromptPiece{PromptPiece::Kind::Text, render_story(s)}};
    }

    bool drop_oldest() override { return drop_oldest_story_line(story_); }

private:
    StoryPrompt story_;
};

// Turns released raw text into what the sink sees.
class DisplayFilter {
public:
    DisplayFilter(bool raw, bool fresh_answer) : raw_(raw), drop_space_(fresh_answer && !raw) {}

    std::string operator()(std::string text) {
        if (raw_ || text.empty()) return text;
        if (drop_space_) {
            // The model's first piece usually starts with the tokenizer's word-start space.
            drop_space_ = false;
            if (text.front() == ' ') text.erase(0, 1);
        }
        return utf8::sanitize(text);
    }

private:
    bool raw_;
    bool drop_space_;
};

} // namespace

struct ChatSession::State {
    LlamaModel& model;
    PromptTemplate prompt_template;
    Tokenizer tokenizer;
    std::vector<int32_t> cached; // the tokens at positions 0 .. n - 1 of the KV cache
    TokenizedPrompt known;       // the text and tokens of the last prompt and its answer
    std::map<std::string, std::string> raw_of_display;

    State(LlamaModel& m, PromptTemplate t)
        : model(m), prompt_template(std::move(t)), tokenizer(m.file().vocab) {}

    // `fresh_answer`: the text starts a new answer (its leading space is not shown); `chat`: the
    // template's stop strings apply.
    GenerationStats generate(PromptSource& source, const GenerationOptions& options, const TextSink& sink,
                             const std::atomic<bool>* cancel, bool fresh_answer, bool chat);
    // Tokenizes the source's prompt, dropping old parts until it leaves `room` free (or at least one
    // position when nothing more can be dropped); nothing when even that does not fit.
    std::optional<TokenizedPrompt> fit(PromptSource& source, const std::string& generated, int64_t room,
                                       GenerationStats& stats);
    // Brings the cache to hold `prompt` and returns the logits after its last token, or nothing when
    // cancelled between batches.
    std::optional<std::vector<float>> evaluate(const std::vector<int32_t>& prompt, GenerationStats& stats,
                                               const std::atomic<bool>* cancel);
    Conversation with_raw_answers(const Conversation& conversation) const;
};

ChatSession::ChatSession(LlamaModel& model, PromptTemplate prompt_template)
    : state_(std::make_unique<State>(model, std::move(prompt_template))) {}

ChatSession::~ChatSession() = default;

void ChatSession::set_template(PromptTemplate prompt_template) {
    state_->prompt_template = std::move(prompt_template);
}

const PromptTemplate& ChatSession::prompt_template() const {
    return state_->prompt_template;
}

int64_t ChatSession::context_used() const {
    return static_cast<int64_t>(state_->cached.size());
}

int64_t ChatSession::context_size() const {
    return state_->model.n_ctx();
}

const std::vector<int32_t>& ChatSession::context_tokens() const {
    return state_->cached;
}

void ChatSession::clear() {
    state_->cached.clear();
    state_->known = {};
}

GenerationStats ChatSession::reply(const Conversation& conversation, const GenerationOptions& options,
                                   const TextSink& sink, const std::atomic<bool>* cancel) {
    ConversationSource source(state_->prompt_template, state_->with_raw_answers(conversation));
    const bool fresh = conversation.turns.back().role == ChatRole::User;
    return state_->generate(source, options, sink, cancel, fresh, true);
}

GenerationStats ChatSession::continue_story(const StoryPrompt& story, const GenerationOptions& options,
                                            const TextSink& sink, const std::atomic<bool>* cancel) {
    StorySource source(story);
    return state_->generate(source, options, sink, cancel, false, false);
}

Conversation ChatSession::State::with_raw_answers(const Conversation& conversation) const {
    Conversation out = conversation;
    for (ChatTurn& turn : out.turns) {
        if (turn.role != ChatRole::Assistant) continue;
        auto it = raw_of_display.find(turn.text);
        if (it != raw_of_display.end()) turn.text = it->second;
    }
    return out;
}

std::optional<TokenizedPrompt> ChatSession::State::fit(PromptSource& source, const std::string& generated,
                                                       int64_t room, GenerationStats& stats) {
    const int64_t n_ctx = model.n_ctx();
    for (;;) {
        TokenizedPrompt prompt = TokenizedPrompt::tokenize(tokenizer, source.render(generated), true, &known);
        const auto n = static_cast<int64_t>(prompt.size());
        if (n + room <= n_ctx) return prompt;
        if (!source.drop_oldest()) {
            if (n < n_ctx) return prompt;
            return std::nullopt;
        }
        ++stats.dropped_turns;
    }
}

std::optional<std::vector<float>> ChatSession::State::evaluate(const std::vector<int32_t>& prompt,
                                                               GenerationStats& stats,
                                                               const std::atomic<bool>* cancel) {
    if (prompt.empty()) throw Error("the prompt has no tokens");
    // At least the last token is evaluated: its logits are what the answer starts from.
    size_t keep = std::min(common_prefix(cached, prompt), prompt.size() - 1);
    if (keep < cached.size() && keep + 1 < prompt.size()) {
        const std::span<const int32_t> rest(prompt.data() + keep, prompt.size() - 1 - keep);
        const CachedRun run = find_cached_run(cached, keep + 1, rest);
        if (run.length >= kMinShiftRun &&
            model.shift_kv(static_cast<int64_t>(run.start), static_cast<int64_t>(run.start + run.length),
                           static_cast<int64_t>(keep) - static_cast<int64_t>(run.start)))
            keep += run.length;
    }
    cached.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(keep));
    stats.reused_tokens = static_cast<int64_t>(keep);

    constexpr size_t kChunk = 512; // cancellation is checked between chunks of a long prompt
    std::vector<float> logits;
    for (size_t at = keep; at < prompt.size(); at += kChunk) {
        if (cancel && cancel->load()) return std::nullopt;
        const size_t n = std::min(kChunk, prompt.size() - at);
        logits =
            model.forward(Batch{std::span<const int32_t>(prompt.data() + at, n), static_cast<int64_t>(at)});
        cached.insert(cached.end(), prompt.begin() + static_cast<std::ptrdiff_t>(at),
                      prompt.begin() + static_cast<std::ptrdiff_t>(at + n));
        stats.prompt_tokens += static_cast<int64_t>(n);
    }
    return logits;
}

GenerationStats ChatSession::State::generate(PromptSource& source, const GenerationOptions& options,
                                             const TextSink& sink, const std::atomic<bool>* cancel,
                                             bool fresh_answer, bool chat) {
    options.sampler.validate();
    GenerationStats stats;
    stats.context_size = model.n_ctx();
    const int64_t n_ctx = model.n_ctx();
    const int32_t max_new = options.max_new_tokens;
    // Room kept free for the answer when the prompt is fitted into the context.
    const int64_t room = max_new >= 0 ? std::min<int64_t>(max_new, n_ctx / 2) : n_ctx / 4;

    const auto prompt_start = Clock::now();
    std::optional<TokenizedPrompt> fitted = fit(source, {}, room, stats);
    if (!fitted) {
        const auto n = TokenizedPrompt::tokenize(tokenizer, source.render({}), true).size();
        throw Error(fmt::format("the prompt has {} tokens and does not fit the context of {} tokens; "
                                "shorten it or load the model with a larger context",
                                n, n_ctx));
    }
    const TokenizedPrompt prompt = std::move(*fitted);
    known = prompt;
    std::optional<std::vector<float>> logits = evaluate(prompt.tokens(), stats, cancel);
    stats.prompt_seconds = seconds_since(prompt_start);

    std::vector<std::string> stops = chat ? prompt_template.stop_strings() : std::vector<std::string>{};
    stops.insert(stops.end(), options.stop_strings.begin(), options.stop_strings.end());
    StopStringMatcher matcher(std::move(stops));
    Detokenizer detokenizer(tokenizer.vocab(), Detokenizer::Mode::Raw);
    DisplayFilter display(options.raw_text, fresh_answer);
    std::string generated_raw; // every generated token's text, for re-rendering when the context fills
    auto emit = [&](const StopStringMatcher::Result& r) {
        stats.answer += r.text;
        std::string shown = display(r.text);
        if (!shown.empty() && sink) sink(shown);
    };

    std::vector<int32_t> history = prompt.tokens();
    Sampler sampler(options.sampler);
    const auto generation_start = Clock::now();
    stats.reason = FinishReason::Cancelled;
    while (logits) {
        if (cancel && cancel->load()) {
            stats.reason = FinishReason::Cancelled;
            break;
        }
        if (max_new >= 0 && stats.generated_tokens >= max_new) {
            stats.reason = FinishReason::MaxTokens;
            break;
        }
        // Ignoring end-of-text keeps a story or a benchmark going where the model would stop.
        if (options.ignore_eos) (*logits)[static_cast<size_t>(tokenizer.eos())] = -INFINITY;
        const int32_t token = sampler.sample(*logits, history);
        ++stats.generated_tokens;
        stats.tokens.push_back(token);
        if (token == tokenizer.eos()) {
            stats.reason = FinishReason::EndOfText;
            break;
        }
        history.push_back(token);
        known.append(token, tokenizer.vocab());
        generated_raw += tokenizer.vocab().kind[static_cast<size_t>(token)] == TokenKind::Control
                             ? std::string()
                             : tokenizer.vocab().text[static_cast<size_t>(token)];
        const StopStringMatcher::Result r = matcher.push(detokenizer.push(token));
        emit(r);
        if (r.stopped) {
            stats.reason = FinishReason::StopString;
            break;
        }
        if (max_new >= 0 && stats.generated_tokens >= max_new) {
            stats.reason = FinishReason::MaxTokens;
            break;
        }
        if (cancel && cancel->load()) {
            stats.reason = FinishReason::Cancelled;
            break;
        }
        if (static_cast<int64_t>(cached.size()) >= n_ctx) {
            // The context is full: leave out old turns and continue from the shortened prompt, which
            // ends with everything generated so far.
            const int64_t dropped_before = stats.dropped_turns;
            std::optional<TokenizedPrompt> shorter =
                fit(source, generated_raw, std::max<int64_t>(1, n_ctx / 4), stats);
            if (!shorter || stats.dropped_turns == dropped_before) {
                stats.reason = FinishReason::MaxTokens;
                break;
            }
            known = *shorter;
            GenerationStats refill;
            logits = evaluate(shorter->tokens(), refill, cancel);
            stats.prompt_tokens += refill.prompt_tokens;
            history = shorter->tokens();
            continue;
        }
        const int32_t one[] = {token};
        logits = model.forward(Batch{one, static_cast<int64_t>(cached.size())});
        cached.push_back(token);
    }
    if (!matcher.stopped()) {
        const StopStringMatcher::Result r = matcher.push(detokenizer.flush());
        emit(r);
        if (!r.stopped) emit({matcher.flush(), false, {}});
        if (r.stopped) stats.reason = FinishReason::StopString;
    }
    stats.generation_seconds = seconds_since(generation_start);
    stats.context_used = static_cast<int64_t>(cached.size());

    if (fresh_answer && !options.raw_text) {
        std::string shown = DisplayFilter(false, true)(stats.answer);
        if (shown != stats.answer) {
            if (raw_of_display.size() >= kMaxRememberedAnswers) raw_of_display.clear();
            raw_of_display[shown] = stats.answer;
        }
    }
    return stats;
}

} // namespace fireside
