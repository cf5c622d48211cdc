#pragma once

#include "engine/session/prompt_template.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fireside {

class Tokenizer;
struct Vocab;

// A prompt's text together with its tokens and where each token ends in that text, so that a later
// prompt sharing text with it (the same conversation one turn later, or with its oldest turns left
// out) can reuse the very tokens the model has already seen instead of re-tokenizing: the model's own
// answers are often not the tokenizer's canonical split of their text, and a different split would
// throw away the cached keys and values from that point on.
class TokenizedPrompt {
public:
    TokenizedPrompt() = default;

    // Tokenizes `pieces` like tokenize_prompt (markers become BOS/EOS, `space_prefix` applies to text
    // at the start or after a BOS). With `known`, the longest common text prefix and suffix with it
    // keep known's tokens, and only the text in between is tokenized.
    static TokenizedPrompt tokenize(const Tokenizer& tokenizer, std::span<const PromptPiece> pieces,
                                    bool space_prefix, const TokenizedPrompt* known = nullptr);

    // Appends a generated token (its stored text; control tokens add no text).
    void append(int32_t token, const Vocab& vocab);

    const std::vector<int32_t>& tokens() const { return tokens_; }
    size_t size() const { return tokens_.size(); }

private:
    void add_text(const Tokenizer& tokenizer, std::string_view text, bool with_prefix);
    void add_segment(const Tokenizer& tokenizer, std::string_view flat, bool at_start, bool space_prefix);

    std::string flat_; // the text, with BOS/EOS as two-byte markers that valid UTF-8 never contains
    std::vector<int32_t> tokens_;
    std::vector<size_t> ends_; // where each token ends in flat_ (non-decreasing)
    bool reusable_ = true;     // false when a text contains the marker byte itself
};

// The number of leading tokens two sequences share.
size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b);

// Where a stretch of `cached` (starting after `from`) repeats the start of `wanted`: the longest such
// run, as the cached start position and its length; length 0 when none is found.
struct CachedRun {
    size_t start = 0;
    size_t length = 0;
};
CachedRun find_cached_run(std::span<const int32_t> cached, size_t from, std::span<const int32_t> wanted);

} // namespace fireside
