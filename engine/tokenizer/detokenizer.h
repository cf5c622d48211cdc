#pragma once

#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fireside {

// Turns a stream of token ids back into text, one token at a time, without ever returning half a
// UTF-8 character: byte tokens are collected until they complete a character.
//
// Raw mode reproduces the bytes llama.cpp's `main` printed (each piece as stored, so the prompt
// " Once upon a time" echoes with its leading space; invalid byte sequences pass through unchanged).
// Display mode is for people: it drops the single dummy-prefix space at the very start of a text (the
// first piece after construction, reset() or a BOS token) and replaces invalid UTF-8 with U+FFFD.
// In both modes control tokens (BOS, EOS, ...) print as nothing.
//
// The Vocab must outlive the Detokenizer.
class Detokenizer {
public:
    enum class Mode { Raw, Display };

    explicit Detokenizer(const Vocab& vocab, Mode mode = Mode::Display);

    // The text that became complete with this token (often empty while a character is incomplete).
    // Throws Error for an id outside the vocabulary.
    std::string push(int32_t token);
    // Whatever is still held back: an incomplete character (raw bytes in Raw mode, U+FFFD in Display).
    std::string flush();
    // Forgets held-back bytes and starts a new text (the next leading space is dropped again).
    void reset();

private:
    std::string release(bool at_end);

    const Vocab& vocab_;
    Mode mode_;
    std::string pending_;
    bool at_text_start_ = true;
};

// The text of a whole token sequence (push every token, then flush).
std::string detokenize(const Vocab& vocab, const std::vector<int32_t>& tokens,
                       Detokenizer::Mode mode = Detokenizer::Mode::Display);

} // namespace fireside
