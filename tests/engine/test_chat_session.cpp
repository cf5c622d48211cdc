// ChatSession on a random-weight model the project writes itself: cache reuse across turns and edits,
// cancellation, stop strings, token limits, a full context, story prompts; plus the KV shift, the
// prompt tokens' reuse and the model loader's progress and cancellation.
#include "engine/core/error.h"
#include "engine/format/synth_model.h"
#include "engine/model/kv_shift.h"
#include "engine/model/llama_model.h"
#include "engine/session/chat_session.h"
#include "engine/session/context_window.h"
#include "engine/session/model_loader.h"
#include "engine/session/story_prompt.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>

using namespace fireside;

namespace {

GenerationOptions greedy(int32_t max_new) {
    GenerationOptions o;
    o.sampler.temperature = 0;
    o.sampler.repeat_penalty = 1.0f;
    o.max_new_tokens = max_new;
    return o;
}

Conversation chat(std::initializer_list<std::string> texts) {
    Conversation c;
    c.system = "You tell short stories.";
    int i = 0;
    for (const std::string& t : texts)
        c.turns.push_back({i++ % 2 == 0 ? ChatRole::User : ChatRole::Assistant, t});
    return c;
}

// Greedy tokens after evaluating `prompt` from position 0 on a fresh model: the from-scratch answer.
std::vector<int32_t> greedy_from_scratch(LlamaModel& model, const std::vector<int32_t>& prompt, size_t n,
                                         int32_t eos) {
    std::vector<float> logits = model.forward(Batch{prompt, 0});
    std::vector<int32_t> out;
    auto pos = static_cast<int64_t>(prompt.size());
    while (out.size() < n) {
        const auto next =
            static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        out.push_back(next);
        if (next == eos) break;
        const int32_t one[] = {next};
        logits = model.forward(Batch{one, pos++});
    }
    return out;
}

std::vector<int32_t> head(const std::vector<int32_t>& v, size_t n) {
    return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(n, v.size()))};
}

} // namespace

class ChatSessionTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path_;

    std::unique_ptr<LlamaModel> load(int64_t n_ctx) {
        LoadOptions o;
        o.path = path_;
        o.n_ctx = n_ctx;
        o.n_threads = 1;
        return load_model(o);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        SynthSpec spec;
        spec.shape = {512, 64, 4, 2, 2, 192, 256};
        spec.seed = 21;
        path_ = dir_.filePath("synth-session.bin").toStdString();
        write_synth_model(path_, SynthModel(spec), require_quant_mix("f32"), ModelWriteOptions{});
    }

    // The second turn evaluates only what follows the cached first turn, and answers exactly as the
    // same prompt evaluated from scratch.
    void second_turn_evaluates_only_new_tokens() {
        auto model = load(512);
        ChatSession session(*model, PromptTemplate::builtin("orca-hashes"));
        const GenerationStats first = session.reply(chat({"Tell me about a cat"}), greedy(8), {});
        QCOMPARE(first.reused_tokens, 0);
        QVERIFY(first.prompt_tokens > 10);
        const int64_t cached = session.context_used();
        QCOMPARE(cached, first.prompt_tokens + first.generated_tokens - 1);

        const Conversation second = chat({"Tell me about a cat", first.answer, "And a dog?"});
        const GenerationStats s = session.reply(second, greedy(8), {});
        QCOMPARE(s.reused_tokens, cached);
        const auto prompt_size = static_cast<size_t>(s.reused_tokens + s.prompt_tokens);
        // Only the end of the first answer and the new turn were evaluated.
        const Tokenizer tokenizer(model->file().vocab);
        const auto whole = tokenize_prompt(tokenizer, PromptTemplate::builtin("orca-hashes").render(second));
        QVERIFY(s.prompt_tokens < static_cast<int64_t>(whole.size()) - first.prompt_tokens);
        QVERIFY(s.prompt_tokens >= 5);

        const std::vector<int32_t> prompt = head(session.context_tokens(), prompt_size);
        auto fresh = load(512);
        QCOMPARE(greedy_from_scratch(*fresh, prompt, s.tokens.size(), tokenizer.eos()), s.tokens);

        // The streamed display text works as the stored answer too: the session maps it back.
        std::string shown;
        ChatSession other(*fresh, PromptTemplate::builtin("orca-hashes"));
        other.reply(chat({"Tell me about a cat"}), greedy(8), [&](std::string_view t) { shown += t; });
        const int64_t other_cached = other.context_used();
        const GenerationStats again =
            other.reply(chat({"Tell me about a cat", shown, "And a dog?"}), greedy(8), {});
        QCOMPARE(again.reused_tokens, other_cached);
        QCOMPARE(again.tokens, s.tokens);
    }

    // Editing an earlier message keeps the cache up to the edit and re-evaluates from there.
    void edit_reevaluates_from_the_edit() {
        auto model = load(512);
        const PromptTemplate orca = PromptTemplate::builtin("orca-hashes");
        ChatSession session(*model, orca);
        const GenerationStats a = session.reply(chat({"Tell me about a cat"}), greedy(6), {});
        session.reply(chat({"Tell me about a cat", a.answer, "More please"}), greedy(6), {});
        const std::vector<int32_t> before = session.context_tokens();

        const Conversation edited = chat({"Tell me about a dog", a.answer, "More please"});
        const GenerationStats e = session.reply(edited, greedy(6), {});
        const Tokenizer tokenizer(model->file().vocab);
        Conversation upto = chat({"Tell me about a "});
        std::vector<PromptPiece> pieces = orca.render(upto);
        pieces.back().text.resize(pieces.back().text.find("Tell me about a ") + 16);
        const auto unchanged = static_cast<int64_t>(tokenize_prompt(tokenizer, pieces).size());
        QVERIFY2(e.reused_tokens <= unchanged && e.reused_tokens >= unchanged - 2,
                 qPrintable(QString("reused %1, unchanged prefix %2").arg(e.reused_tokens).arg(unchanged)));
        QCOMPARE(head(session.context_tokens(), static_cast<size_t>(e.reused_tokens)),
                 head(before, static_cast<size_t>(e.reused_tokens)));
        const std::vector<int32_t> prompt =
            head(session.context_tokens(), static_cast<size_t>(e.reused_tokens + e.prompt_tokens));
        auto fresh = load(512);
        QCOMPARE(greedy_from_scratch(*fresh, prompt, e.tokens.size(), tokenizer.eos()), e.tokens);
    }

    // The flag set from the sink after the third piece: no further token is generated.
    void cancel_within_one_token() {
        auto model = load(256);
        ChatSession session(*model, PromptTemplate::builtin("raw"));
        std::atomic<bool> cancel{false};
        int pieces = 0;
        const GenerationStats s = session.reply(
            chat({"Once upon a time"}), greedy(-1),
            [&](std::string_view) {
                if (++pieces == 3) cancel = true;
            },
            &cancel);
        QCOMPARE(s.reason, FinishReason::Cancelled);
        QVERIFY(pieces == 3 || pieces == 4);
        QVERIFY(s.generated_tokens <= 4);
        // Cancelled before it starts: nothing is generated.
        const GenerationStats none = session.reply(chat({"Hello"}), greedy(-1), {}, &cancel);
        QCOMPARE(none.reason, FinishReason::Cancelled);
        QCOMPARE(none.generated_tokens, 0);
    }

    // A stop string ends the answer and is never shown; max_new_tokens bounds it.
    void stop_strings_and_token_limit() {
        auto model = load(256);
        ChatSession session(*model, PromptTemplate::builtin("raw"));
        // Raw text: the random vocabulary's bytes are not always valid UTF-8, and stop strings match the
        // model's bytes.
        GenerationOptions options = greedy(16);
        options.raw_text = true;
        std::string full;
        const GenerationStats plain =
            session.reply(chat({"Once upon a time"}), options, [&](std::string_view t) { full += t; });
        QCOMPARE(plain.reason, FinishReason::MaxTokens);
        QCOMPARE(plain.generated_tokens, 16);
        QVERIFY2(full.size() >= 12, full.c_str());

        const std::string stop = full.substr(6, 3);
        const std::string before = full.substr(0, full.find(stop));
        options.stop_strings = {stop};
        std::string shown;
        const GenerationStats s =
            session.reply(chat({"Once upon a time"}), options, [&](std::string_view t) { shown += t; });
        QCOMPARE(s.reason, FinishReason::StopString);
        QCOMPARE(shown, before);
        QVERIFY(shown.find(stop) == std::string::npos);
        QVERIFY(s.generated_tokens < 16);
        QVERIFY(s.answer.find(stop) == std::string::npos);

        const GenerationStats none = session.reply(chat({"Once upon a time"}), greedy(0), {});
        QCOMPARE(none.generated_tokens, 0);
        QCOMPARE(none.reason, FinishReason::MaxTokens);
    }

    // With a 160-token context (the random vocabulary spends about a token per character) a long conversation
    // keeps going by leaving out old turns, and the answer after a drop is the from-scratch answer to the
    // kept text.
    void context_overflow_drops_old_turns() {
        auto model = load(160);
        ChatSession session(*model, PromptTemplate::builtin("orca-hashes"));
        const Tokenizer tokenizer(model->file().vocab);
        Conversation c = chat({});
        int64_t dropped = 0;
        bool compared = false;
        for (int turn = 0; turn < 10; ++turn) {
            c.turns.push_back({ChatRole::User, "Tell me more, turn " + std::to_string(turn)});
            const GenerationStats s = session.reply(c, greedy(6), {});
            QVERIFY(session.context_used() <= 160);
            QCOMPARE(s.context_size, int64_t{160});
            dropped += s.dropped_turns;
            if (s.dropped_turns > 0 && !compared) {
                const std::vector<int32_t> prompt =
                    head(session.context_tokens(), static_cast<size_t>(s.reused_tokens + s.prompt_tokens));
                auto fresh = load(160);
                // The shifted keys and values were computed beside the dropped turns, so they are not
                // those of a fresh evaluation of the kept text: only the opening must agree.
                const size_t n = 1;
                QCOMPARE(head(greedy_from_scratch(*fresh, prompt, n, tokenizer.eos()), n), head(s.tokens, n));
                // The system prompt stays at the top.
                QVERIFY(detokenize(tokenizer.vocab(), prompt)
                            .starts_with("### System:\nYou tell short stories."));
                compared = true;
            }
            c.turns.push_back({ChatRole::Assistant, s.answer});
        }
        QVERIFY(dropped > 0);
        QVERIFY(compared);
        // A single message longer than the context is an error, not a crash.
        std::string huge;
        for (int i = 0; i < 40; ++i) huge += "word" + std::to_string(i) + " ";
        QVERIFY_THROWS_EXCEPTION(Error, session.reply(chat({huge}), greedy(4), {}));
    }

    // An answer that fills the context drops old turns while it is generated, and ends when nothing is
    // left to drop; a story drops its oldest lines and keeps its memory on top.
    void context_fills_during_an_answer() {
        auto model = load(160);
        ChatSession session(*model, PromptTemplate::builtin("orca-hashes"));
        const Tokenizer tokenizer(model->file().vocab);
        GenerationOptions options = greedy(-1);
        options.stop_strings = {"\x01never"};
        options.ignore_eos = true;
        const GenerationStats s =
            session.reply(chat({"Hi", "Hello", "How are you", "Fine", "More"}), options, {});
        QVERIFY(std::ranges::find(s.tokens, tokenizer.eos()) == s.tokens.end());
        QCOMPARE(s.reason, FinishReason::MaxTokens);
        QVERIFY(s.dropped_turns >= 1);
        QVERIFY(s.generated_tokens > 40);
        QVERIFY(session.context_used() <= 160);
        QVERIFY(detokenize(tokenizer.vocab(), session.context_tokens())
                    .starts_with("### System:\nYou tell short stories."));

        StoryPrompt story;
        story.memory = "MEMORY";
        for (int i = 0; i < 30; ++i) story.text += "line " + std::to_string(i) + "\n";
        const GenerationStats t = session.continue_story(story, greedy(20), {});
        QVERIFY(t.dropped_turns > 0);
        QVERIFY(t.generated_tokens >= 1 && t.generated_tokens <= 20);
        QVERIFY2(detokenize(tokenizer.vocab(), session.context_tokens()).starts_with("MEMORY\nline "),
                 detokenize(tokenizer.vocab(), session.context_tokens()).c_str());
    }

    void story_rendering() {
        StoryPrompt s;
        s.memory = "A tale of two cats.";
        s.text = "line one\nline two\nline three\nline four";
        s.authors_note = "[Style: gentle]";
        s.authors_note_depth = 2;
        QCOMPARE(
            render_story(s),
            std::string("A tale of two cats.\nline one\nline two\n[Style: gentle]\nline three\nline four"));
        s.authors_note_depth = 0;
        QCOMPARE(render_story(s), std::string("A tale of two cats.\nline one\nline two\nline three\nline "
                                              "four\n[Style: gentle]\n"));
        s.authors_note_depth = 9;
        QCOMPARE(render_story(s),
                 std::string("A tale of two cats.\n[Style: gentle]\nline one\nline two\nline "
                             "three\nline four"));
        s.authors_note.clear();
        QCOMPARE(render_story(s), "A tale of two cats.\n" + s.text);
        QVERIFY(drop_oldest_story_line(s));
        QCOMPARE(s.text, std::string("line two\nline three\nline four"));
    }

    // Story continuation: the prompt is BOS + the rendered story; extending the text reuses the cache.
    void story_continuation_reuses_the_cache() {
        auto model = load(256);
        ChatSession session(*model, PromptTemplate::builtin("orca-hashes"));
        StoryPrompt story{"Memory: cats.", "Once upon a time\nthere was a cat", "[Note]", 1};
        const GenerationStats a = session.continue_story(story, greedy(6), {});
        const Tokenizer tokenizer(model->file().vocab);
        const std::vector<int32_t> expected = tokenizer.tokenize(render_story(story), true, true);
        QCOMPARE(head(session.context_tokens(), expected.size()), expected);
        QCOMPARE(a.prompt_tokens, static_cast<int64_t>(expected.size()));

        story.text += a.answer + " and";
        const int64_t cached = session.context_used();
        const GenerationStats b = session.continue_story(story, greedy(6), {});
        QCOMPARE(b.reused_tokens, cached);
        // The last generated token (sampled, not yet evaluated) and the added words.
        QVERIFY(b.prompt_tokens <= 1 + static_cast<int64_t>(tokenizer.tokenize(" and", false, false).size()));
    }

    // Known tokens are kept where the text is unchanged, even where they are not the tokenizer's split.
    void prompt_tokens_reuse_known_text() {
        const Tokenizer tokenizer(open_model_file(path_).vocab);
        const std::vector<PromptPiece> first{{PromptPiece::Kind::Bos, {}},
                                             {PromptPiece::Kind::Text, "abc def"}};
        TokenizedPrompt known = TokenizedPrompt::tokenize(tokenizer, first, true);
        QCOMPARE(known.tokens(), tokenizer.tokenize("abc def", true, true));
        // Spell " gh" one byte token at a time: a split the tokenizer would not choose.
        for (char ch : std::string(" gh"))
            known.append(tokenizer.find(std::string(1, ch)), tokenizer.vocab());
        const std::vector<int32_t> spelled = known.tokens();
        const std::vector<PromptPiece> next{{PromptPiece::Kind::Bos, {}},
                                            {PromptPiece::Kind::Text, "abc def gh!"}};
        const TokenizedPrompt t = TokenizedPrompt::tokenize(tokenizer, next, true, &known);
        QCOMPARE(head(t.tokens(), spelled.size()), spelled);
        QCOMPARE(detokenize(tokenizer.vocab(), t.tokens(), Detokenizer::Mode::Raw),
                 std::string(" abc def gh!"));
        // A new text after the BOS gets its own dummy-prefix space, even after a known text that began
        // with a lone space token.
        const std::vector<PromptPiece> other{{PromptPiece::Kind::Bos, {}}, {PromptPiece::Kind::Text, "xyz"}};
        const TokenizedPrompt o = TokenizedPrompt::tokenize(tokenizer, other, true, &known);
        QCOMPARE(o.tokens(), tokenizer.tokenize("xyz", true, true));
        // A dropped middle keeps the known tail tokens.
        const std::vector<PromptPiece> cut{{PromptPiece::Kind::Bos, {}}, {PromptPiece::Kind::Text, "abc gh"}};
        const TokenizedPrompt c = TokenizedPrompt::tokenize(tokenizer, cut, true, &known);
        QCOMPARE(detokenize(tokenizer.vocab(), c.tokens(), Detokenizer::Mode::Raw), std::string(" abc gh"));
        QCOMPARE(std::vector<int32_t>(c.tokens().end() - 2, c.tokens().end()),
                 std::vector<int32_t>(spelled.end() - 2, spelled.end()));
    }

    // Shifting cached keys re-rotates them to their new positions; values move unchanged.
    void kv_shift_rerotates_keys() {
        const int64_t n_layer = 2, head_dim = 8, n_heads = 2, kv_dim = head_dim * n_heads, n_ctx = 16;
        RopeParams rope;
        rope.n_rot = 6; // the last two values of each head are not rotated
        std::mt19937 rng(3);
        std::normal_distribution<float> normal;
        std::vector<float> raw(static_cast<size_t>(n_ctx * kv_dim)), values(raw.size());
        for (float& x : raw) x = normal(rng);
        for (float& x : values) x = normal(rng);
        auto rotated = [&](int64_t raw_pos, int64_t at) {
            std::vector<float> k(raw.begin() + raw_pos * kv_dim, raw.begin() + (raw_pos + 1) * kv_dim);
            std::vector<float> table(static_cast<size_t>(rope.n_rot));
            rope_angles(rope, at, table.data());
            apply_rope(k.data(), n_heads, head_dim, rope.n_rot, table.data());
            return k;
        };
        KvCache cache(n_layer, n_ctx, n_heads, head_dim, BlockType::F32);
        for (int64_t layer = 0; layer < n_layer; ++layer)
            for (int64_t p = 0; p < 12; ++p)
                cache.store(layer, p, 1, rotated(p, p).data(), values.data() + p * kv_dim);
        // Drop positions 2..5: 6..11 move to 2..7.
        shift_kv_positions(cache, rope, 6, 12, -4);
        std::vector<float> k(static_cast<size_t>(n_ctx * head_dim)), v(k.size());
        for (int64_t layer = 0; layer < n_layer; ++layer)
            for (int64_t h = 0; h < n_heads; ++h) {
                cache.read_head(layer, h, 8, k.data(), v.data());
                for (int64_t p = 0; p < 8; ++p) {
                    const int64_t from = p < 2 ? p : p + 4;
                    const std::vector<float> want = rotated(from, p);
                    for (int64_t i = 0; i < head_dim; ++i) {
                        QVERIFY(std::abs(k[static_cast<size_t>(p * head_dim + i)] -
                                         want[static_cast<size_t>(h * head_dim + i)]) < 1e-5f);
                        QCOMPARE(v[static_cast<size_t>(p * head_dim + i)],
                                 values[static_cast<size_t>(from * kv_dim + h * head_dim + i)]);
                    }
                }
            }
        QVERIFY_THROWS_EXCEPTION(Error, shift_kv_positions(cache, rope, 6, 12, -7));
    }

    // Loading reports rising progress up to 1, and a set cancel flag stops it with Cancelled.
    void loader_progress_and_cancel() {
        LoadOptions o;
        o.path = path_;
        o.n_threads = 1;
        std::vector<double> seen;
        auto model = load_model(o, [&](double f) { seen.push_back(f); });
        QVERIFY(seen.size() >= 3);
        QCOMPARE(seen.front(), 0.0);
        QCOMPARE(seen.back(), 1.0);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        // A ggjt file's training context is 2048 (LLaMA-1), less than the default 4096...
        QCOMPARE(model->n_ctx(), int64_t{2048});
        // ...unless RoPE scaling stretches it.
        o.overrides.rope_freq_scale = 0.5f;
        QCOMPARE(effective_context_size(model->desc(), o), int64_t{2048});
        ModelDesc scaled = model->desc();
        scaled.rope_freq_scale = 0.5f;
        QCOMPARE(effective_context_size(scaled, o), int64_t{4096});
        o.n_ctx = 100;
        QCOMPARE(effective_context_size(scaled, o), int64_t{100});

        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, load_model(o, {}, &cancel));
        o.path = dir_.filePath("nothing-here.bin").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, load_model(o));
    }
};

QTEST_GUILESS_MAIN(ChatSessionTest)
#include "test_chat_session.moc"
