#include "engine/session/context_window.h"

#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

namespace fireside {
namespace {

constexpr char kMarker = '\xF8'; // never a byte of valid UTF-8
constexpr std::string_view kBosMarker{"\xF8\x01", 2};
constexpr std::string_view kEosMarker{"\xF8\x02", 2};

bool ends_with_bos(std::string_view flat, size_t at) {
    return at >= 2 && flat.substr(at - 2, 2) == kBosMarker;
}

} // namespace

size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    return i;
}

CachedRun find_cached_run(std::span<const int32_t> cached, size_t from, std::span<const int32_t> wanted) {
    CachedRun best;
    if (wanted.empty()) return best;
    for (size_t j = from; j < cached.size(); ++j) {
        if (cached[j] != wanted[0]) continue;
        const size_t length = common_prefix(cached.subspan(j), wanted);
        if (length > best.length) best = {j, length};
    }
    return best;
}

void TokenizedPrompt::add_text(const Tokenizer& tokenizer, std::string_view text, bool with_prefix) {
    if (text.empty()) return;
    const size_t start = flat_.size();
    flat_ += text;
    if (text.find(kMarker) != std::string_view::npos) reusable_ = false;
    const std::vector<int32_t> ids = tokenizer.tokenize(text, false, with_prefix);
    size_t covered = 0;
    for (int32_t id : ids) covered += tokenizer.vocab().text[static_cast<size_t>(id)].size();
    // Each token ends where its text ends; the dummy-prefix space is not in the text. When the pieces
    // do not spell the text (an unknown-token stand-in), the tokens can only be reused all together.
    const bool exact = covered == text.size() + (with_prefix ? 1 : 0);
    size_t sum = 0;
    for (int32_t id : ids) {
        sum += tokenizer.vocab().text[static_cast<size_t>(id)].size();
        const size_t offset = with_prefix ? (sum > 0 ? sum - 1 : 0) : sum;
        tokens_.push_back(id);
        ends_.push_back(exact ? start + std::min(offset, text.size()) : start + text.size());
    }
}

void TokenizedPrompt::add_segment(const Tokenizer& tokenizer, std::string_view flat, bool at_start,
                                  bool space_prefix) {
    size_t at = 0;
    while (at < flat.size()) {
        const size_t marker = flat.find(kMarker, at);
        const size_t text_end = marker == std::string_view::npos ? flat.size() : marker;
        if (text_end > at) {
            add_text(tokenizer, flat.substr(at, text_end - at), space_prefix && at_start);
            at_start = false;
        }
        if (marker == std::string_view::npos) break;
        const std::string_view code = flat.substr(marker, 2);
        flat_ += code;
        tokens_.push_back(code == kBosMarker ? tokenizer.bos() : tokenizer.eos());
        ends_.push_back(flat_.size());
        at_start = code == kBosMarker;
        at = marker + 2;
    }
}

TokenizedPrompt TokenizedPrompt::tokenize(const Tokenizer& tokenizer, std::span<const PromptPiece> pieces,
                                          bool space_prefix, const TokenizedPrompt* known) {
    std::string flat;
    bool reusable = true;
    for (const PromptPiece& p : pieces) {
        if (p.kind == PromptPiece::Kind::Bos)
            flat += kBosMarker;
        else if (p.kind == PromptPiece::Kind::Eos)
            flat += kEosMarker;
        else {
            if (p.text.find(kMarker) != std::string::npos) reusable = false;
            flat += p.text;
        }
    }

    TokenizedPrompt out;
    if (!known || !known->reusable_ || !reusable) {
        if (!reusable) {
            // Marker bytes inside the text: tokenize piece by piece, never reusing anything.
            bool at_start = true;
            for (const PromptPiece& p : pieces) {
                if (p.kind == PromptPiece::Kind::Text) {
                    out.add_text(tokenizer, p.text, space_prefix && at_start);
                    at_start = false;
                } else {
                    out.add_segment(tokenizer, p.kind == PromptPiece::Kind::Bos ? kBosMarker : kEosMarker,
                                    false, space_prefix);
                    at_start = p.kind == PromptPiece::Kind::Bos;
                }
            }
            out.reusable_ = false;
        } else {
            out.add_segment(tokenizer, flat, true, space_prefix);
        }
        return out;
    }

    const std::string& old = known->flat_;
    size_t prefix = 0;
    while (prefix < old.size() && prefix < flat.size() && old[prefix] == flat[prefix]) ++prefix;
    // Known tokens that end inside the common prefix are kept as they are.
    auto kept = static_cast<size_t>(std::upper_bound(known->ends_.begin(), known->ends_.end(), prefix) -
                                    known->ends_.begin());
    // A token covering no text (the lone dummy-prefix space after a BOS) belongs with the text after
    // it, which is tokenized again with its prefix.
    while (kept >= 2 && known->ends_[kept - 1] == known->ends_[kept - 2]) --kept;
    const size_t resume = kept > 0 ? known->ends_[kept - 1] : 0;

    size_t suffix = 0;
    const size_t max_suffix = std::min(old.size(), flat.size()) - resume;
    while (suffix < max_suffix && old[old.size() - 1 - suffix] == flat[flat.size() - 1 - suffix]) ++suffix;
    // The first known token that starts inside the common suffix, and the text before it.
    size_t tail = kept;
    while (tail < known->size() && (tail == 0 ? 0 : known->ends_[tail - 1]) < old.size() - suffix) ++tail;
    size_t tail_start = tail == 0 ? 0 : known->ends_[tail - 1];
    // A token right after a BOS carries the dummy-prefix space; it is only valid after a BOS again.
    if (tail < known->size() && ends_with_bos(old, tail_start)) {
        tail = known->size();
        tail_start = old.size();
    }
    const size_t tail_in_new = flat.size() - (old.size() - tail_start);

    out.flat_ = flat.substr(0, resume);
    out.tokens_.assign(known->tokens_.begin(), known->tokens_.begin() + static_cast<std::ptrdiff_t>(kept));
    out.ends_.assign(known->ends_.begin(), known->ends_.begin() + static_cast<std::ptrdiff_t>(kept));
    out.add_segment(tokenizer, std::string_view(flat).substr(resume, tail_in_new - resume),
                    resume == 0 || ends_with_bos(flat, resume), space_prefix);
    for (size_t i = tail; i < known->size(); ++i) {
        out.tokens_.push_back(known->tokens_[i]);
        out.ends_.push_back(known->ends_[i] - tail_start + tail_in_new);
    }
    out.flat_ = std::move(flat);
    return out;
}

void TokenizedPrompt::append(int32_t token, const Vocab& vocab) {
    const auto id = static_cast<size_t>(token);
    if (id < vocab.size() && vocab.kind[id] != TokenKind::Control) {
        const std::string& text = vocab.text[id];
        if (text.find(kMarker) != std::string::npos) reusable_ = false;
        flat_ += text;
    }
    tokens_.push_back(token);
    ends_.push_back(flat_.size());
}

} // namespace fireside
