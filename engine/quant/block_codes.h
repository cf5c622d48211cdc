#pragma once

#include "engine/quant/blocks.h"

#include <cstdint>
#include <cstring>

// Unpacking and packing of the integer codes of each block format: the bit layout lives here once, and
// the dequantizers, quantizers and dot products all work on plain arrays of codes (one byte per value,
// unsigned as stored, in value order) plus the per-block scales.
namespace fireside::codes {

// --- 32-value formats -------------------------------------------------------------------------------

inline void unpack_nibbles32(const uint8_t* qs, uint8_t* out) {
    for (int j = 0; j < 16; ++j) {
        out[j] = qs[j] & 0x0f;
        out[j + 16] = qs[j] >> 4;
    }
}

inline void pack_nibbles32(const uint8_t* in, uint8_t* qs) {
    for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>((in[j] & 0x0f) | ((in[j + 16] & 0x0f) << 4));
}

// Adds the fifth bits (bit j of the little-endian word in qh) to nibbles already in out.
inline void unpack_fifth_bits32(const uint8_t* qh, uint8_t* out) {
    uint32_t bits;
    std::memcpy(&bits, qh, sizeof bits);
    for (int j = 0; j < 32; ++j) out[j] = static_cast<uint8_t>(out[j] | (((bits >> j) & 1u) << 4));
}

inline void pack_fifth_bits32(const uint8_t* in, uint8_t* qh) {
    uint32_t bits = 0;
    for (int j = 0; j < 32; ++j) bits |= static_cast<uint32_t>((in[j] >> 4) & 1u) << j;
    std::memcpy(qh, &bits, sizeof bits);
}

// --- k-quant scales ---------------------------------------------------------------------------------

// q4_K/q5_K: eight 6-bit scales and eight 6-bit mins in 12 bytes. Bytes 0..3 hold scales 0..3 and
// bytes 4..7 mins 0..3 in their low six bits; scales/mins 4..7 keep their low nibbles in bytes 8..11
// (scale low, min high) and their top two bits in the top bits of bytes 0..3 (scales) and 4..7 (mins).
inline void unpack_scales_mins_k4(const uint8_t* packed, uint8_t* scales, uint8_t* mins) {
    for (int j = 0; j < 4; ++j) {
        scales[j] = packed[j] & 63;
        mins[j] = packed[j + 4] & 63;
        scales[j + 4] = static_cast<uint8_t>((packed[j + 8] & 0x0f) | ((packed[j] >> 6) << 4));
        mins[j + 4] = static_cast<uint8_t>((packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4));
    }
}

inline void pack_scales_mins_k4(const uint8_t* scales, const uint8_t* mins, uint8_t* packed) {
    for (int j = 0; j < 4; ++j) {
        packed[j] = static_cast<uint8_t>((scales[j] & 63) | ((scales[j + 4] >> 4) << 6));
        packed[j + 4] = static_cast<uint8_t>((mins[j] & 63) | ((mins[j + 4] >> 4) << 6));
        packed[j + 8] = static_cast<uint8_t>((scales[j + 4] & 0x0f) | ((mins[j + 4] & 0x0f) << 4));
    }
}

// q3_K: sixteen 6-bit scales (stored as scale + 32) in 12 bytes, see BlockQ3_K.
inline void unpack_scales_q3_K(const uint8_t* packed, uint8_t* scales) {
    for (int i = 0; i < 16; ++i) {
        const int low = i < 8 ? (packed[i] & 0x0f) : (packed[i - 8] >> 4);
        const int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
        scales[i] = static_cast<uint8_t>(low | (high << 4));
    }
}

inline void pack_scales_q3_K(const uint8_t* scales, uint8_t* packed) {
    std::memset(packed, 0, K_SCALE_BYTES);
    for (int i = 0; i < 16; ++i) {
        packed[i % 8] = static_cast<uint8_t>(packed[i % 8] | ((scales[i] & 0x0f) << (i < 8 ? 0 : 4)));
        packed[8 + i % 4] =
            static_cast<uint8_t>(packed[8 + i % 4] | (((scales[i] >> 4) & 3) << (2 * (i / 4))));
    }
}

// --- k-quant codes (256 per block) ------------------------------------------------------------------

// Two bits per value: value 128h + 32k + l is bits 2k..2k+1 of qs[32h + l].
inline void unpack_2bit_k(const uint8_t* qs, uint8_t* out) {
    for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l) out[128 * h + 32 * k + l] = (qs[32 * h + l] >> (2 * k)) & 3;
}

inline void pack_2bit_k(const uint8_t* in, uint8_t* qs) {
    std::memset(qs, 0, QK_K / 4);
    for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l)
                qs[32 * h + l] =
                    static_cast<uint8_t>(qs[32 * h + l] | ((in[128 * h + 32 * k + l] & 3) << (2 * k)));
}

// Codes 0..7 of q3_K: low two bits from qs, third bit of value 128h + 32k + l at bit 4h + k of hmask[l].
inline void unpack_q3_K(const BlockQ3_K& b, uint8_t* out) {
    unpack_2bit_k(b.qs, out);
    for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l)
                out[128 * h + 32 * k + l] = static_cast<uint8_t>(out[128 * h + 32 * k + l] |
                                                                 (((b.hmask[l] >> (4 * h + k)) & 1) << 2));
}

inline void pack_q3_K(const uint8_t* in, BlockQ3_K& b) {
    pack_2bit_k(in, b.qs);
    std::memset(b.hmask, 0, sizeof b.hmask);
    for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
            for (int l = 0; l < 32; ++l)
                b.hmask[l] =
                    static_cast<uint8_t>(b.hmask[l] | (((in[128 * h + 32 * k + l] >> 2) & 1) << (4 * h + k)));
}

// Nibbles of q4_K/q5_K: value 64c + l is the low nibble of qs[32c + l], value 64c + 32 + l the high one.
inline void unpack_nibbles_k(const uint8_t* qs, uint8_t* out) {
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) {
            out[64 * c + l] = qs[32 * c + l] & 0x0f;
            out[64 * c + 32 + l] = qs[32 * c + l] >> 4;
        }
}

inline void pack_nibbles_k(const uint8_t* in, uint8_t* qs) {
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            qs[32 * c + l] =
                static_cast<uint8_t>((in[64 * c + l] & 0x0f) | ((in[64 * c + 32 + l] & 0x0f) << 4));
}

// Codes 0..31 of q5_K: fifth bit of value 64c + l at bit 2c of qh[l], of value 64c + 32 + l at bit 2c + 1.
inline void unpack_q5_K(const BlockQ5_K& b, uint8_t* out) {
    unpack_nibbles_k(b.qs, out);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) {
            out[64 * c + l] = static_cast<uint8_t>(out[64 * c + l] | (((b.qh[l] >> (2 * c)) & 1) << 4));
            out[64 * c + 32 + l] =
                static_cast<uint8_t>(out[64 * c + 32 + l] | (((b.qh[l] >> (2 * c + 1)) & 1) << 4));
        }
}

inline void pack_q5_K(const uint8_t* in, BlockQ5_K& b) {
    pack_nibbles_k(in, b.qs);
    std::memset(b.qh, 0, sizeof b.qh);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            b.qh[l] = static_cast<uint8_t>(b.qh[l] | (((in[64 * c + l] >> 4) & 1) << (2 * c)) |
                                           (((in[64 * c + 32 + l] >> 4) & 1) << (2 * c + 1)));
}

// Codes 0..63 of q6_K, see BlockQ6_K.
inline void unpack_q6_K(const BlockQ6_K& b, uint8_t* out) {
    for (int h = 0; h < 2; ++h)
        for (int g = 0; g < 4; ++g)
            for (int l = 0; l < 32; ++l) {
                const uint8_t low_byte = b.ql[64 * h + 32 * (g & 1) + l];
                const int low = g < 2 ? (low_byte & 0x0f) : (low_byte >> 4);
                const int high = (b.qh[32 * h + l] >> (2 * g)) & 3;
                out[128 * h + 32 * g + l] = static_cast<uint8_t>(low | (high << 4));
            }
}

inline void pack_q6_K(const uint8_t* in, BlockQ6_K& b) {
    std::memset(b.ql, 0, sizeof b.ql);
    std::memset(b.qh, 0, sizeof b.qh);
    for (int h = 0; h < 2; ++h)
        for (int g = 0; g < 4; ++g)
            for (int l = 0; l < 32; ++l) {
                const int code = in[128 * h + 32 * g + l];
                uint8_t& low_byte = b.ql[64 * h + 32 * (g & 1) + l];
                low_byte = static_cast<uint8_t>(low_byte | ((code & 0x0f) << (g < 2 ? 0 : 4)));
                b.qh[32 * h + l] = static_cast<uint8_t>(b.qh[32 * h + l] | (((code >> 4) & 3) << (2 * g)));
            }
}

} // namespace fireside::codes
