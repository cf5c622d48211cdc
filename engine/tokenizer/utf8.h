#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fireside::utf8 {

// The length llama.cpp-era tokenizers give a character from its first byte alone (high nibble:
// 0xC-0xD -> 2, 0xE -> 3, 0xF -> 4, everything else 1). Stray continuation bytes count as one
// character; the tokenizer must split text exactly this way to reproduce the reference ids.
inline size_t lead_length(uint8_t lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

// How the bytes at the start of `bytes` read as UTF-8.
enum class Status {
    Complete,   // a whole valid character of `length` bytes
    Incomplete, // a valid start of a character that needs more bytes
    Invalid,    // `length` (>= 1) bytes that can never start a valid character
};

struct Decoded {
    Status status;
    size_t length;
};

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). `bytes` must not be empty.
Decoded decode_prefix(std::string_view bytes);

// `bytes` with every invalid sequence (and any incomplete tail) replaced by U+FFFD.
std::string sanitize(std::string_view bytes);

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

} // namespace fireside::utf8
