#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fireside {

// Token kinds, numbered as GGUF numbers them.
enum class TokenKind : uint8_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

// A SentencePiece-style vocabulary as read from either container, in one convention: `text` holds the
// piece as the text it stands for (U+2581 already replaced by an ASCII space, as GGML v3 files store
// it); a byte-fallback token holds its single raw byte and has kind Byte; BOS/EOS are Control.
struct Vocab {
    std::vector<std::string> text;
    std::vector<float> score;
    std::vector<TokenKind> kind;
    int32_t bos = 1;
    int32_t eos = 2;
    int32_t unk = 0;

    size_t size() const { return text.size(); }
};

} // namespace fireside
