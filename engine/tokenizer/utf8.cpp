#include "engine/tokenizer/utf8.h"

namespace fireside::utf8 {

Decoded decode_prefix(std::string_view bytes) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
    const uint8_t lead = byte(0);
    if (lead < 0x80) return {Status::Complete, 1};
    size_t need = 0;
    // The allowed range of the second byte narrows for E0/ED/F0/F4 to exclude overlongs,
    // surrogates and code points above U+10FFFF (the Unicode "well-formed" table).
    uint8_t lo = 0x80, hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return {Status::Invalid, 1};
    }
    for (size_t i = 1; i < need; ++i) {
        if (i >= bytes.size()) return {Status::Incomplete, i};
        const uint8_t b = byte(i);
        const uint8_t first_lo = i == 1 ? lo : uint8_t{0x80};
        const uint8_t first_hi = i == 1 ? hi : uint8_t{0xBF};
        // The valid bytes seen so far form one unusable unit (the "maximal subpart").
        if (b < first_lo || b > first_hi) return {Status::Invalid, i};
    }
    return {Status::Complete, need};
}

std::string sanitize(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    size_t pos = 0;
    while (pos < bytes.size()) {
        const Decoded d = decode_prefix(bytes.substr(pos));
        if (d.status == Status::Complete) {
            out.append(bytes.substr(pos, d.length));
        } else {
            out.append(replacement_character);
        }
        pos += d.length;
    }
    return out;
}

} // namespace fireside::utf8
