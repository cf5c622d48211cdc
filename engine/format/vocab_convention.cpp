#include "engine/format/vocab_convention.h"

#include <cstdint>

namespace fireside {
namespace {

// SentencePiece's surface form of <unk>, which is what ggjt-era converters stored for id 0.
constexpr std::string_view kUnknownText = " \xE2\x81\x87 "; // " U+2047 "

} // namespace

void classify_ggjt_tokens(Vocab& vocab) {
    const size_t n = vocab.size();
    vocab.kind.assign(n, TokenKind::Normal);
    if (n > 0) vocab.kind[0] = TokenKind::Unknown;
    if (n > 1) vocab.kind[1] = TokenKind::Control;
    if (n > 2) vocab.kind[2] = TokenKind::Control;
    bool byte_tokens = n >= 259;
    for (size_t b = 0; byte_tokens && b < 256; ++b) {
        const std::string& t = vocab.text[3 + b];
        byte_tokens = t.size() == 1 && static_cast<unsigned char>(t[0]) == b;
    }
    if (byte_tokens)
        for (size_t id = 3; id < 259; ++id) vocab.kind[id] = TokenKind::Byte;
    vocab.unk = 0;
    vocab.bos = 1;
    vocab.eos = 2;
}

bool convert_gguf_piece(std::string_view piece, TokenKind kind, std::string& out) {
    out.clear();
    if (kind == TokenKind::Byte) {
        if (piece.size() != 6 || !piece.starts_with("<0x") || piece[5] != '>') return false;
        unsigned value = 0;
        for (char c : piece.substr(3, 2)) {
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= static_cast<unsigned>(c - '0');
            else if (c >= 'A' && c <= 'F')
                value |= static_cast<unsigned>(c - 'A' + 10);
            else if (c >= 'a' && c <= 'f')
                value |= static_cast<unsigned>(c - 'a' + 10);
            else
                return false;
        }
        out.push_back(static_cast<char>(value));
        return true;
    }
    if (kind == TokenKind::Control) return true;
    if (kind == TokenKind::Unknown) {
        out = kUnknownText;
        return true;
    }
    static constexpr std::string_view kSpaceMark = "\xE2\x96\x81"; // U+2581
    out.reserve(piece.size());
    for (size_t i = 0; i < piece.size();) {
        if (piece.substr(i, 3) == kSpaceMark) {
            out.push_back(' ');
            i += 3;
        } else {
            out.push_back(piece[i++]);
        }
    }
    return true;
}

bool is_valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > text.size()) return false;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

} // namespace fireside
