#include "engine/tokenizer/tokenizer.h"

#include "engine/core/error.h"
#include "engine/tokenizer/utf8.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <queue>

namespace fireside {
namespace {

// A run of input bytes that is currently one symbol, linked to its live neighbours. Merged-away
// symbols keep their slot with length 0 so that indices in queued candidates stay meaningful.
struct Symbol {
    size_t offset = 0;
    size_t length = 0;
    int prev = -1;
    int next = -1;
};

// A possible merge of symbol `left` with its right neighbour `right`. `length` is the merged length
// at the time it was queued; a candidate whose symbols changed since is stale and skipped.
struct Candidate {
    int left;
    int right;
    float score;
    size_t length;
};

// Highest score first; among equal scores the leftmost pair first.
struct CandidateOrder {
    bool operator()(const Candidate& a, const Candidate& b) const {
        if (a.score != b.score) return a.score < b.score;
        return a.left > b.left;
    }
};

} // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
    const size_t n = vocab_.text.size();
    if (n == 0) throw Error("the model's vocabulary is empty");
    if (vocab_.score.size() != n || vocab_.kind.size() != n)
        throw Error(fmt::format("the model's vocabulary is inconsistent: {} texts, {} scores, {} kinds", n,
                                vocab_.score.size(), vocab_.kind.size()));
    if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error(fmt::format("the model's vocabulary has {} tokens, too many", n));
    merge_score_.resize(n);
    ids_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const float s = vocab_.score[i];
        merge_score_[i] = std::isnan(s) ? -std::numeric_limits<float>::infinity() : s;
        // Later ids overwrite earlier ones with the same text, as the reference's table did.
        ids_[vocab_.text[i]] = static_cast<int32_t>(i);
    }
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const int32_t id = find(std::string_view(&c, 1));
        // A vocabulary without byte tokens degrades to the unknown token rather than failing.
        const bool unk_ok = vocab_.unk >= 0 && static_cast<size_t>(vocab_.unk) < n;
        byte_token_[static_cast<size_t>(b)] = id >= 0 ? id : (unk_ok ? vocab_.unk : 0);
    }
}

int32_t Tokenizer::find(std::string_view piece) const {
    auto it = ids_.find(piece);
    return it == ids_.end() ? -1 : it->second;
}

std::vector<int32_t> Tokenizer::tokenize(std::string_view text, bool add_bos, bool space_prefix) const {
    std::vector<int32_t> out;
    if (text.empty() && !space_prefix) return out;
    if (add_bos) out.push_back(vocab_.bos);
    if (space_prefix) {
        std::string prefixed;
        prefixed.reserve(text.size() + 1);
        prefixed.push_back(' ');
        prefixed.append(text);
        append_pieces(prefixed, out);
    } else {
        append_pieces(text, out);
    }
    return out;
}

void Tokenizer::append_pieces(std::string_view text, std::vector<int32_t>& out) const {
    if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max() / 2))
        throw Error(fmt::format("the text to tokenize is too long ({} bytes)", text.size()));

    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t offset = 0; offset < text.size();) {
        const size_t length =
            std::min(text.size() - offset, utf8::lead_length(static_cast<uint8_t>(text[offset])));
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({offset, length, index - 1, -1});
        if (index > 0) symbols[static_cast<size_t>(index) - 1].next = index;
        offset += length;
    }

    std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> queue;
    const auto consider = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<size_t>(left)];
        const Symbol& r = symbols[static_cast<size_t>(right)];
        const size_t length = l.length + r.length;
        const int32_t id = find(text.substr(l.offset, length));
        if (id < 0) return;
        queue.push({left, right, merge_score_[static_cast<size_t>(id)], length});
    };
    for (size_t i = 1; i < symbols.size(); ++i) consider(static_cast<int>(i) - 1, static_cast<int>(i));

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<size_t>(c.left)];
        Symbol& r = symbols[static_cast<size_t>(c.right)];
        if (l.length == 0 || r.length == 0 || l.length + r.length != c.length) continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (l.next >= 0) symbols[static_cast<size_t>(l.next)].prev = c.left;
        consider(l.prev, c.left);
        consider(c.left, l.next);
    }

    for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<size_t>(i)];
        const std::string_view piece = text.substr(s.offset, s.length);
        const int32_t id = find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : piece) out.push_back(byte_token_[static_cast<uint8_t>(c)]);
    }
}

} // namespace fireside
