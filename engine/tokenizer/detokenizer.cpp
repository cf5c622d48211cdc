#include "engine/tokenizer/detokenizer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/utf8.h"

#include <fmt/format.h>

namespace fireside {

Detokenizer::Detokenizer(const Vocab& vocab, Mode mode) : vocab_(vocab), mode_(mode) {}

void Detokenizer::reset() {
    pending_.clear();
    at_text_start_ = true;
}

std::string Detokenizer::push(int32_t token) {
    if (token < 0 || static_cast<size_t>(token) >= vocab_.size())
        throw Error(fmt::format("token id {} is outside the vocabulary (0..{})", token,
                                static_cast<int64_t>(vocab_.size()) - 1));
    const size_t index = static_cast<size_t>(token);
    const TokenKind kind = index < vocab_.kind.size() ? vocab_.kind[index] : TokenKind::Normal;
    if (token == vocab_.bos) at_text_start_ = true;
    if (kind == TokenKind::Control || token == vocab_.bos || token == vocab_.eos) return {};

    std::string_view piece = vocab_.text[index];
    if (piece.empty()) return {};
    if (at_text_start_ && mode_ == Mode::Display && piece.front() == ' ') piece.remove_prefix(1);
    at_text_start_ = false;
    pending_.append(piece);
    return release(false);
}

std::string Detokenizer::flush() {
    std::string out = release(true);
    pending_.clear();
    return out;
}

std::string Detokenizer::release(bool at_end) {
    std::string out;
    size_t pos = 0;
    while (pos < pending_.size()) {
        const utf8::Decoded d = utf8::decode_prefix(std::string_view(pending_).substr(pos));
        if (d.status == utf8::Status::Incomplete && !at_end) break;
        if (d.status == utf8::Status::Complete || mode_ == Mode::Raw)
            out.append(pending_, pos, d.length);
        else
            out.append(utf8::replacement_character);
        pos += d.length;
    }
    pending_.erase(0, pos);
    return out;
}

std::string detokenize(const Vocab& vocab, const std::vector<int32_t>& tokens, Detokenizer::Mode mode) {
    Detokenizer d(vocab, mode);
    std::string out;
    for (int32_t t : tokens) out += d.push(t);
    out += d.flush();
    return out;
}

} // namespace fireside
