// The tokenizer and the streaming detokenizer on small vocabularies built here, plus a brute-force
// model of the merge rule (rescan everything, merge the best pair, leftmost on ties) that the fast
// queue-based tokenizer must agree with on random text.
#include "engine/core/error.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"

#include <QtTest>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace fireside;

namespace {

// The layout of LLaMA vocabularies: <unk>, BOS, EOS, 256 byte tokens, then ordinary pieces.
Vocab base_vocab() {
    Vocab v;
    v.text = {" \xE2\x81\x87 ", "", ""};
    v.score = {0, 0, 0};
    v.kind = {TokenKind::Unknown, TokenKind::Control, TokenKind::Control};
    for (int b = 0; b < 256; ++b) {
        v.text.emplace_back(1, static_cast<char>(b));
        v.score.push_back(0);
        v.kind.push_back(TokenKind::Byte);
    }
    return v;
}

int32_t add(Vocab& v, const std::string& text, float score) {
    v.text.push_back(text);
    v.score.push_back(score);
    v.kind.push_back(TokenKind::Normal);
    return static_cast<int32_t>(v.size() - 1);
}

int32_t byte_id(unsigned char b) {
    return 3 + b;
}

using Ids = std::vector<int32_t>;

// The merge rule written the slow, obvious way: split into characters as the reference does, then
// repeatedly merge the adjacent pair whose concatenation is a piece with the highest score
// (leftmost on equal scores); unknown leftovers become byte tokens.
Ids brute_force(const Vocab& v, const std::string& text) {
    const auto lookup = [&](const std::string& s) -> std::optional<int32_t> {
        for (size_t i = v.size(); i-- > 0;)
            if (v.text[i] == s) return static_cast<int32_t>(i);
        return std::nullopt;
    };
    std::vector<std::string> symbols;
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const size_t len = std::min(text.size() - i, size_t(c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4));
        symbols.push_back(text.substr(i, len));
        i += len;
    }
    for (;;) {
        std::optional<size_t> best;
        float best_score = 0;
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto id = lookup(symbols[i] + symbols[i + 1]);
            if (!id) continue;
            const float s = v.score[static_cast<size_t>(*id)];
            if (!best || s > best_score) {
                best = i;
                best_score = s;
            }
        }
        if (!best) break;
        symbols[*best] += symbols[*best + 1];
        symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(*best) + 1);
    }
    Ids out;
    for (const std::string& s : symbols) {
        if (auto id = lookup(s)) {
            out.push_back(*id);
        } else {
            for (char c : s) out.push_back(*lookup(std::string(1, c)));
        }
    }
    return out;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void merges_highest_score_first_not_longest_match() {
        Vocab v = base_vocab();
        const int32_t bc = add(v, "bc", -1);
        add(v, "ab", -2);
        add(v, "cd", -3);
        const int32_t a = add(v, "a", -20);
        const int32_t d = add(v, "d", -20);
        Tokenizer t(v);
        // bc wins first; then neither "abc" nor "bcd" is a piece, so ab and cd never get a chance.
        QCOMPARE(t.tokenize("abcd", false, false), (Ids{a, bc, d}));
    }

    void merges_chain_into_longer_pieces() {
        Vocab v = base_vocab();
        add(v, "ab", -1);
        add(v, "bc", -2);
        const int32_t abc = add(v, "abc", -3);
        const int32_t sp_abc = add(v, " abc", -4);
        Tokenizer t(v);
        QCOMPARE(t.tokenize("abc", false, false), (Ids{abc}));
        QCOMPARE(t.tokenize("abc", false, true), (Ids{sp_abc}));
        QCOMPARE(t.tokenize("abc", true, true), (Ids{1, sp_abc}));
    }

    void equal_scores_merge_leftmost_first() {
        Vocab v = base_vocab();
        const int32_t aa = add(v, "aa", -5);
        const int32_t a = add(v, "a", -10);
        Tokenizer t(v);
        QCOMPARE(t.tokenize("aaa", false, false), (Ids{aa, a}));
        QCOMPARE(t.tokenize("aaaaa", false, false), (Ids{aa, aa, a}));
    }

    void later_pieces_beat_equal_scores_to_the_right() {
        // "xy" and "yz" tie: the left pair merges, so "yz" is never formed.
        Vocab v = base_vocab();
        const int32_t xy = add(v, "xy", -1);
        add(v, "yz", -1);
        Tokenizer t(v);
        QCOMPARE(t.tokenize("xyz", false, false), (Ids{xy, byte_id('z')}));
    }

    void missing_characters_fall_back_to_utf8_bytes() {
        Vocab v = base_vocab();
        const int32_t e_acute = add(v, "\xC3\xA9", -1); // é
        const int32_t h_e = add(v, "h\xC3\xA9", -2);
        Tokenizer t(v);
        QCOMPARE(t.tokenize("\xC3\xA9", false, false), (Ids{e_acute}));
        QCOMPARE(t.tokenize("h\xC3\xA9", false, false), (Ids{h_e}));
        // ü (C3 BC) and the 4-byte 😀 (F0 9F 98 80) are not pieces: one token per byte.
        QCOMPARE(t.tokenize("\xC3\xBC", false, false), (Ids{byte_id(0xC3), byte_id(0xBC)}));
        QCOMPARE(t.tokenize("\xF0\x9F\x98\x80", false, false),
                 (Ids{byte_id(0xF0), byte_id(0x9F), byte_id(0x98), byte_id(0x80)}));
        // A truncated character at the end and stray continuation bytes are bytes too.
        QCOMPARE(t.tokenize("\xC3", false, false), (Ids{byte_id(0xC3)}));
        QCOMPARE(t.tokenize("\xA9\xA9", false, false), (Ids{byte_id(0xA9), byte_id(0xA9)}));
        QCOMPARE(t.tokenize("\n", false, false), (Ids{byte_id('\n')}));
    }

    void special_token_text_is_plain_text() {
        Vocab v = base_vocab();
        Tokenizer t(v);
        QCOMPARE(t.tokenize("<s>", false, false), (Ids{byte_id('<'), byte_id('s'), byte_id('>')}));
    }

    void empty_text_gives_no_tokens_even_with_bos() {
        Vocab v = base_vocab();
        Tokenizer t(v);
        QCOMPARE(t.tokenize("", true, false), Ids{});
        QCOMPARE(t.tokenize("", false, false), Ids{});
        // With the space prefix the text is " ", which is tokenized normally.
        QCOMPARE(t.tokenize("", true, true), (Ids{1, byte_id(' ')}));
    }

    void duplicate_texts_resolve_to_the_highest_id() {
        Vocab v = base_vocab();
        const int32_t a = add(v, "a", -1); // same text as byte token 0x61
        Tokenizer t(v);
        QCOMPARE(t.find("a"), a);
        QCOMPARE(t.tokenize("a", false, false), (Ids{a}));
    }

    void agrees_with_brute_force_on_random_text() {
        std::mt19937 rng(1234);
        const std::vector<std::string> alphabet = {"a", "b", "c", " ", "\xC3\xA9", "\xE2\x82\xAC", "\n"};
        for (int round = 0; round < 20; ++round) {
            Vocab v = base_vocab();
            std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
            std::uniform_int_distribution<int> len(2, 4);
            std::uniform_int_distribution<int> score(-8, 0); // few distinct values: many ties
            for (int i = 0; i < 40; ++i) {
                std::string piece;
                for (int k = len(rng); k > 0; --k) piece += alphabet[pick(rng)];
                add(v, piece, static_cast<float>(score(rng)));
            }
            add(v, "a", -9);
            add(v, "\xC3\xA9", -9);
            Tokenizer t(v);
            for (int s = 0; s < 30; ++s) {
                std::string text;
                for (int k = std::uniform_int_distribution<int>(0, 40)(rng); k > 0; --k)
                    text += alphabet[pick(rng)];
                QCOMPARE(t.tokenize(text, false, false), brute_force(v, text));
            }
        }
    }

    void long_prompt_is_tokenized_completely() {
        Vocab v = base_vocab();
        const int32_t ab = add(v, "ab", -1);
        const int32_t abab = add(v, "abab", -2);
        Tokenizer t(v);
        std::string text;
        for (int i = 0; i < 20001; ++i) text += "ab";
        const Ids ids = t.tokenize(text, false, false);
        QCOMPARE(ids.size(), size_t(10001));
        QCOMPARE(ids.back(), ab);
        QCOMPARE(ids.front(), abab);
    }

    void inconsistent_vocabulary_is_an_error() {
        Vocab v = base_vocab();
        v.score.pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer{v});
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer{Vocab{}});
    }

    void detokenizer_raw_mode_reproduces_pieces_exactly() {
        Vocab v = base_vocab();
        const int32_t once = add(v, " Once", -1);
        const int32_t upon = add(v, " upon", -2);
        const Ids ids{1, once, upon, byte_id(0xFF), 2};
        QCOMPARE(detokenize(v, ids, Detokenizer::Mode::Raw), std::string(" Once upon\xFF"));
        QCOMPARE(detokenize(v, ids, Detokenizer::Mode::Display), std::string("Once upon\xEF\xBF\xBD"));
    }

    void detokenizer_never_splits_a_character() {
        Vocab v = base_vocab();
        for (auto mode : {Detokenizer::Mode::Raw, Detokenizer::Mode::Display}) {
            Detokenizer d(v, mode);
            // € = E2 82 AC arriving as three byte tokens.
            QCOMPARE(d.push(byte_id(0xE2)), std::string());
            QCOMPARE(d.push(byte_id(0x82)), std::string());
            QCOMPARE(d.push(byte_id(0xAC)), std::string("\xE2\x82\xAC"));
            QCOMPARE(d.flush(), std::string());
        }
    }

    void detokenizer_replaces_impossible_sequences_in_display_mode() {
        Vocab v = base_vocab();
        const int32_t ab = add(v, "ab", -1);
        Detokenizer display(v, Detokenizer::Mode::Display);
        QCOMPARE(display.push(byte_id(0xC3)), std::string());
        // "a" can never continue C3: the lead byte is replaced as soon as that is known.
        QCOMPARE(display.push(ab), std::string("\xEF\xBF\xBD"
                                               "ab"));
        QCOMPARE(display.push(byte_id(0xE2)), std::string());
        QCOMPARE(display.push(byte_id(0x82)), std::string());
        QCOMPARE(display.flush(), std::string("\xEF\xBF\xBD"));

        Detokenizer raw(v, Detokenizer::Mode::Raw);
        QCOMPARE(raw.push(byte_id(0xC3)), std::string());
        QCOMPARE(raw.push(ab), std::string("\xC3"
                                           "ab"));
        QCOMPARE(raw.push(byte_id(0xE2)), std::string());
        QCOMPARE(raw.flush(), std::string("\xE2"));
    }

    void detokenizer_strips_only_the_dummy_prefix_space() {
        Vocab v = base_vocab();
        const int32_t hello = add(v, " Hello", -1);
        const int32_t world = add(v, " world", -2);
        Detokenizer d(v, Detokenizer::Mode::Display);
        QCOMPARE(d.push(1), std::string());
        QCOMPARE(d.push(hello), std::string("Hello"));
        QCOMPARE(d.push(world), std::string(" world"));
        QCOMPARE(d.push(2), std::string());
        // A new BOS starts a new text.
        QCOMPARE(d.push(1), std::string());
        QCOMPARE(d.push(world), std::string("world"));
        d.reset();
        QCOMPARE(d.push(hello), std::string("Hello"));

        Detokenizer raw(v, Detokenizer::Mode::Raw);
        QCOMPARE(raw.push(1), std::string());
        QCOMPARE(raw.push(hello), std::string(" Hello"));
    }

    void detokenizer_round_trips_tokenizer_output() {
        Vocab v = base_vocab();
        add(v, " Hello", -1);
        add(v, "\xC3\xA9", -2);
        Tokenizer t(v);
        const std::string text = "Hello caf\xC3\xA9 \xF0\x9F\x98\x80 <s>\n";
        QCOMPARE(detokenize(v, t.tokenize(text, true, true), Detokenizer::Mode::Display), text);
        QCOMPARE(detokenize(v, t.tokenize(text, true, true), Detokenizer::Mode::Raw), " " + text);
    }

    void detokenizer_rejects_out_of_range_ids() {
        Vocab v = base_vocab();
        Detokenizer d(v);
        QVERIFY_THROWS_EXCEPTION(Error, d.push(static_cast<int32_t>(v.size())));
        QVERIFY_THROWS_EXCEPTION(Error, d.push(-1));
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
