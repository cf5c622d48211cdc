#pragma once

#include "engine/tokenizer/vocab.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fireside {

// LLaMA SentencePiece tokenization as llama.cpp did it in August 2023 (the reference the project
// matches): the text is split into characters, then the adjacent pair whose concatenation is a
// vocabulary piece with the highest score is merged, again and again (leftmost pair on equal scores).
// A final symbol that is not a piece falls back to one byte token per UTF-8 byte. Text that looks
// like a special token ("<s>") is ordinary text.
class Tokenizer {
public:
    // Throws Error when the vocabulary's arrays disagree in length or it is empty.
    explicit Tokenizer(Vocab vocab);

    // `add_bos` puts the BOS id first; `space_prefix` prepends one ASCII space to the text (what
    // llama.cpp's `main` and a chat front end do; SentencePiece's "dummy prefix"). An empty text gives
    // no tokens at all, even with `add_bos`, as the reference did.
    std::vector<int32_t> tokenize(std::string_view text, bool add_bos, bool space_prefix = true) const;

    const Vocab& vocab() const { return vocab_; }
    size_t size() const { return vocab_.size(); }
    int32_t bos() const { return vocab_.bos; }
    int32_t eos() const { return vocab_.eos; }

    // The id whose piece is exactly `piece`, or -1. When several tokens share a text the highest id
    // wins, as in the reference's lookup table.
    int32_t find(std::string_view piece) const;

private:
    void append_pieces(std::string_view text, std::vector<int32_t>& out) const;

    Vocab vocab_;
    std::vector<float> merge_score_; // scores with NaN made -inf, so ordering stays well defined
    std::unordered_map<std::string_view, int32_t> ids_;
    std::array<int32_t, 256> byte_token_{};
};

} // namespace fireside
