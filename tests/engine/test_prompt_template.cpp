// Prompt templates: each built-in format's exact text, multi-turn rendering, the prefix property that
// KV-cache reuse depends on, stop strings, the custom syntax and its errors, and prompt tokenization.
#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/session/prompt_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QtTest>

using namespace fireside;

namespace {

using Kind = PromptPiece::Kind;

PromptPiece bos() {
    return {Kind::Bos, {}};
}
PromptPiece eos() {
    return {Kind::Eos, {}};
}
PromptPiece text(std::string t) {
    return {Kind::Text, std::move(t)};
}
using Pieces = std::vector<PromptPiece>;

Conversation chat(std::optional<std::string> system, std::vector<std::string> turns) {
    Conversation c;
    c.system = std::move(system);
    for (size_t i = 0; i < turns.size(); ++i)
        c.turns.push_back({i % 2 == 0 ? ChatRole::User : ChatRole::Assistant, std::move(turns[i])});
    return c;
}

// A readable form for failure messages.
QString show(const Pieces& pieces) {
    QString out;
    for (const PromptPiece& p : pieces)
        out += p.kind == Kind::Bos ? "[BOS]" : p.kind == Kind::Eos ? "[EOS]" : QString::fromStdString(p.text);
    return out;
}

} // namespace

namespace QTest {
template <>
char* toString(const Pieces& pieces) {
    return qstrdup(qPrintable(show(pieces)));
}
} // namespace QTest

class TestPromptTemplate : public QObject {
    Q_OBJECT

private slots:
    void orca_hashes_single_and_multi_turn() {
        const PromptTemplate t = PromptTemplate::builtin("orca-hashes");
        QCOMPARE(
            t.render(chat("You are a kind storyteller.", {"Tell me a story about a cat and a red ball."})),
            (Pieces{bos(),
                    text("### System:\nYou are a kind storyteller.\n\n### User:\nTell me a story about a "
                         "cat and a red ball.\n\n### Assistant:\n")}));
        QCOMPARE(
            t.render(chat("S", {"Hi", "Hello!", "Again"})),
            (Pieces{
                bos(),
                text("### System:\nS\n\n### User:\nHi\n\n### Assistant:\nHello!\n\n### User:\nAgain\n\n###"
                     " Assistant:\n")}));
        // No value: the default system prompt; an empty one: no system block at all.
        QCOMPARE(t.render(chat(std::nullopt, {"Hi"})),
                 (Pieces{bos(), text("### System:\n" + t.default_system() +
                                     "\n\n### User:\nHi\n\n### Assistant:\n")}));
        QCOMPARE(t.render(chat("", {"Hi"})), (Pieces{bos(), text("### User:\nHi\n\n### Assistant:\n")}));
        QCOMPARE(t.stop_strings(), (std::vector<std::string>{"### User:"}));
    }

    void llama_2_chat_puts_eos_and_bos_between_turns() {
        const PromptTemplate t = PromptTemplate::builtin("llama-2-chat");
        QCOMPARE(t.render(chat("Be brief.", {"Hi"})),
                 (Pieces{bos(), text("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]")}));
        QCOMPARE(t.render(chat("Be brief.", {"Hi", " Hello.", "Bye"})),
                 (Pieces{bos(), text("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. "), eos(),
                         bos(), text("[INST] Bye [/INST]")}));
        QCOMPARE(t.render(chat(std::nullopt, {"Hi"})), (Pieces{bos(), text("[INST] Hi [/INST]")}));
        QCOMPARE(t.stop_strings(), (std::vector<std::string>{"[INST]"}));
    }

    void alpaca_vicuna_chatml_raw() {
        QCOMPARE(PromptTemplate::builtin("alpaca").render(chat("Sys.", {"Do it", "Done"})),
                 (Pieces{bos(), text("Sys.\n\n### Instruction:\nDo it\n\n### Response:\nDone\n\n")}));
        QCOMPARE(PromptTemplate::builtin("alpaca").stop_strings(),
                 (std::vector<std::string>{"### Instruction:"}));

        QCOMPARE(
            PromptTemplate::builtin("vicuna").render(chat("Sys.", {"Hi", " Hello", "Bye"})),
            (Pieces{bos(), text("Sys. USER: Hi ASSISTANT: Hello"), eos(), text("USER: Bye ASSISTANT:")}));
        QCOMPARE(PromptTemplate::builtin("vicuna").stop_strings(), (std::vector<std::string>{"USER:"}));

        QCOMPARE(
            PromptTemplate::builtin("chatml").render(chat("Sys.", {"Hi", "Hello"})),
            (Pieces{bos(),
                    text("<|im_start|>system\nSys.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>"
                         "assistant\nHello<|im_end|>\n")}));
        QCOMPARE(PromptTemplate::builtin("chatml").stop_strings(),
                 (std::vector<std::string>{"<|im_start|>user", "<|im_end|>"}));

        QCOMPARE(PromptTemplate::builtin("raw").render(chat("ignored", {"Once upon a time"})),
                 (Pieces{bos(), text("Once upon a time")}));
        QCOMPARE(PromptTemplate::builtin("raw").render(chat("", {"Once", " upon", " a time"})),
                 (Pieces{bos(), text("Once upon a time")}));
        QVERIFY(PromptTemplate::builtin("raw").stop_strings().empty());
    }

    void rendering_n_turns_is_a_prefix_of_n_plus_one() {
        const std::vector<std::string> turns{"First question?", " First answer.", "Second?",
                                             " Second answer.", "Third?"};
        for (std::string_view name : PromptTemplate::builtin_names()) {
            const PromptTemplate t = PromptTemplate::builtin(name);
            for (std::optional<std::string> system :
                 {std::optional<std::string>(), std::optional<std::string>(""),
                  std::optional<std::string>("Sys")}) {
                for (size_t n = 0; n < turns.size(); ++n) {
                    const Pieces shorter = t.render(chat(system, {turns.begin(), turns.begin() + n}));
                    const Pieces longer = t.render(chat(system, {turns.begin(), turns.begin() + n + 1}));
                    QVERIFY2(is_prompt_prefix(shorter, longer),
                             qPrintable(QString("%1, %2 turns: %3 | %4")
                                            .arg(name.data())
                                            .arg(n)
                                            .arg(show(shorter), show(longer))));
                    QVERIFY(!is_prompt_prefix(longer, shorter));
                }
            }
        }
    }

    void custom_templates() {
        const PromptTemplate t = PromptTemplate::parse(
            "mine", "{bos}{#system}<sys>{system}</sys>\\n{/system}Q: {user}\\nA:{assistant}{eos}\\n{{x}}",
            "default");
        QCOMPARE(t.render(chat(std::nullopt, {"one", " two", "three"})),
                 (Pieces{bos(), text("<sys>default</sys>\nQ: one\nA: two"), eos(), text("\n{x}"), bos(),
                         text("Q: three\nA:")}));
        QCOMPARE(t.stop_strings(), (std::vector<std::string>{"Q:", "{x}"}));
        const PromptTemplate tabs = PromptTemplate::parse("tabs", "\\t{user}\\\\{assistant}");
        QCOMPARE(tabs.render(chat("", {"a"})), (Pieces{bos(), text("\ta\\")}));
    }

    void invalid_custom_templates_are_errors() {
        for (const char* spec :
             {"no placeholders", "{user} only", "{assistant}{user}", "{user}{user}{assistant}",
              "{user}{assistant}{user}", "{system}{user}{assistant}", "{#system}{user}{/system}{assistant}",
              "{#system}x{/system}{user}{assistant}", "{#system}{system}{user}{assistant}",
              "{/system}{user}{assistant}", "{user}{assistant}{#system}{system}{/system}",
              "{#system}{system}{/system}{#system}{system}{/system}{user}{assistant}", "{usr}{assistant}",
              "{user}{assistant", "{user}}{assistant}", "{user}{assistant}\\", "{user}{assistant}\\q"}) {
            bool threw = false;
            try {
                PromptTemplate::parse("bad", spec);
            } catch (const Error& e) {
                threw = true;
                QVERIFY(std::string(e.what()).starts_with("prompt template bad: "));
            }
            QVERIFY2(threw, spec);
        }
        QVERIFY_THROWS_EXCEPTION(Error, PromptTemplate::builtin("nope"));
    }

    void turns_must_alternate_from_the_user() {
        const PromptTemplate t = PromptTemplate::builtin("orca-hashes");
        Conversation c;
        c.turns = {{ChatRole::Assistant, "hi"}};
        QVERIFY_THROWS_EXCEPTION(Error, t.render(c));
        c.turns = {{ChatRole::User, "a"}, {ChatRole::User, "b"}};
        QVERIFY_THROWS_EXCEPTION(Error, t.render(c));
        // No turns: just BOS (plus nothing else).
        QCOMPARE(t.render(Conversation{}), (Pieces{bos()}));
    }

    void prompts_tokenize_with_the_space_prefix_after_each_bos() {
        // A tiny vocabulary: unk, BOS, EOS, 256 bytes; unknown characters become byte tokens.
        Vocab v;
        v.text = {" \xE2\x81\x87 ", "", ""};
        v.kind = {TokenKind::Unknown, TokenKind::Control, TokenKind::Control};
        for (int b = 0; b < 256; ++b) {
            v.text.emplace_back(1, static_cast<char>(b));
            v.kind.push_back(TokenKind::Byte);
        }
        v.score.assign(v.text.size(), 0.0f);
        const Tokenizer tok(v);
        const auto byte = [](char c) { return 3 + static_cast<unsigned char>(c); };
        const Pieces pieces{bos(), text("a"), eos(), text("b"), bos(), text("c")};
        QCOMPARE(tokenize_prompt(tok, pieces),
                 (std::vector<int32_t>{1, byte(' '), byte('a'), 2, byte('b'), 1, byte(' '), byte('c')}));
        QCOMPARE(tokenize_prompt(tok, pieces, false),
                 (std::vector<int32_t>{1, byte('a'), 2, byte('b'), 1, byte('c')}));
        // One text after BOS tokenizes exactly like the whole prompt with add_bos and the space prefix.
        const Pieces orca = PromptTemplate::builtin("orca-hashes").render(chat("S", {"Hi"}));
        QCOMPARE(tokenize_prompt(tok, orca), tok.tokenize(orca[1].text, true, true));
    }
    void orca_prompt_tokenizes_like_the_reference_chat_case() {
        // reference/logits' "chat" case is an Orca-Hashes prompt fed to main (BOS + space prefix).
        FIRESIDE_REQUIRE_SHARED();
        const Tokenizer tok(open_model_file(test::shared_path("models/stories260K.f32.bin")).vocab);
        std::vector<int32_t> expected;
        for (const QJsonValue& v :
             test::read_json(test::shared_path("reference/logits/stories260K.f32.chat.tokens.json")).array())
            expected.push_back(v.toInt());
        const Pieces prompt =
            PromptTemplate::builtin("orca-hashes")
                .render(chat("You are a kind storyteller.", {"Tell me a story about a cat and a red ball."}));
        QCOMPARE(tokenize_prompt(tok, prompt), expected);
    }
};

QTEST_APPLESS_MAIN(TestPromptTemplate)
#include "test_prompt_template.moc"
