#pragma once

#include <bit>
#include <cstdint>

// The block layouts of the quantized formats, byte for byte as GGML stores them in ggjt v3 and GGUF files
// (little endian; f16 fields hold IEEE half bits, see fp16.h). Each block covers QK values (QK_K = 256
// for the k-quants) and the structs have no padding, so an array of them is exactly the file's bytes.
namespace fireside {

static_assert(std::endian::native == std::endian::little,
              "block layouts are read in place: little endian only");

inline constexpr int QK4_0 = 32;
inline constexpr int QK4_1 = 32;
inline constexpr int QK5_0 = 32;
inline constexpr int QK5_1 = 32;
inline constexpr int QK8_0 = 32;
inline constexpr int QK8_1 = 32;
inline constexpr int QK_K = 256;
// Bytes of the packed 6-bit scales and mins of q4_K/q5_K and of the 6-bit scales of q3_K.
inline constexpr int K_SCALE_BYTES = 12;

// value = d * (nibble - 8). Values 0..15 in the low nibbles of qs[0..15], 16..31 in the high nibbles.
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[QK4_0 / 2];
};

// value = d * nibble + m. Nibble order as q4_0.
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[QK4_1 / 2];
};

// value = d * (q - 16), q = nibble | fifth bit << 4. Nibbles as q4_0; the fifth bit of value j is bit j
// of the little-endian 32-bit word qh.
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[QK5_0 / 2];
};

// value = d * q + m, q as q5_0.
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[QK5_1 / 2];
};

// value = d * qs[j].
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[QK8_0];
};

// Intermediate only (the y operand of q4_1/q5_1 dot products), never stored in files. Layout of
// ggjt-v3-era ggml (float d and s, 40 bytes; later GGUF-era ggml narrowed both to f16). s = d * sum(qs)
// carries the block sum that the min term of q4_1/q5_1 needs, and as float it is exact enough that the
// dot product equals the dot of the dequantized operands.
struct BlockQ8_1 {
    float d;
    float s;
    int8_t qs[QK8_1];
};

// 16 sub-blocks of 16 values: value = d * (scales[i] & 15) * q - dmin * (scales[i] >> 4), q in 0..3.
// Value 128h + 32k + l (h < 2, k < 4, l < 32) is bits 2k..2k+1 of qs[32h + l]; sub-block = value / 16.
struct BlockQ2_K {
    uint8_t scales[QK_K / 16];
    uint8_t qs[QK_K / 4];
    uint16_t d;
    uint16_t dmin;
};

// 16 sub-blocks of 16 values: value = d * (scale - 32) * (q - 4), q in 0..7: the two low bits as in
// q2_K's qs, the third bit of value 128h + 32k + l is bit 4h + k of hmask[l]. Scales are 6-bit, packed
// in 12 bytes: low nibble of scale i in scales[i % 8] (low nibble for i < 8, high for i >= 8), its top
// two bits at bit 2 * (i / 4) of scales[8 + i % 4].
struct BlockQ3_K {
    uint8_t hmask[QK_K / 8];
    uint8_t qs[QK_K / 4];
    uint8_t scales[K_SCALE_BYTES];
    uint16_t d;
};

// 8 sub-blocks of 32 values: value = d * scale * q - dmin * min, q in 0..15, 6-bit scales and mins
// packed in 12 bytes (see kquant_scales.h). Value 64c + l (l < 32) is the low nibble of qs[32c + l],
// value 64c + 32 + l its high nibble.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_BYTES];
    uint8_t qs[QK_K / 2];
};

// As q4_K with a fifth bit: q in 0..31; the fifth bit of value 64c + l is bit 2c of qh[l], of value
// 64c + 32 + l bit 2c + 1.
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_BYTES];
    uint8_t qh[QK_K / 8];
    uint8_t qs[QK_K / 2];
};

// 16 sub-blocks of 16 values: value = d * scales[i] * (q - 32), q in 0..63. For value 128h + 32g + l
// (g < 4, l < 32): low nibble from ql[64h + 32 * (g & 1) + l] (low nibble for g < 2, high for g >= 2),
// top two bits at bit 2g of qh[32h + l].
struct BlockQ6_K {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;
};

// Intermediate only (the y operand of k-quant dot products): value = d * qs[j]; bsums[i] is the sum of
// qs[16i .. 16i + 15], which the min terms of q2_K/q4_K/q5_K need.
struct BlockQ8_K {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 40);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

} // namespace fireside
