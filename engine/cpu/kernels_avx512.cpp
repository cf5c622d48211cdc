// AVX-512 (F/BW/VL) + VNNI kernels. This file is compiled with those instruction sets enabled, so it
// must not define or instantiate inline functions that other files share (no standard library
// templates, no shared inline helpers); everything here has internal linkage except the table
// lookup, which is only called after cpu_features() confirmed the instructions exist.
//
// Integer dot products use VPDPBUSD (unsigned bytes x signed bytes, four products per 32-bit lane).
// Weights are made unsigned (q4_0 nibbles as stored, q8_0 plus 128, k-quant codes as stored) and
// the offset is taken back out with the activation block sums.
#include "engine/cpu/dot_kernels.h"
#include "engine/quant/blocks.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) &&         \
    defined(__AVX512VNNI__) && defined(__F16C__)
#include "engine/cpu/avx512_intrinsics.h"

namespace fireside {
namespace {

inline __m256i dot_u8s8(__m256i u, __m256i s) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
}

#include "engine/cpu/kernels_x86_blocks.inc"

// A float vector holding a in lanes 0..7 and b in lanes 8..15 (the two blocks of a 64-byte pair),
// from two f16 scale fields: one conversion and one permute.
inline __m512 pair_of_halves(uint16_t a, uint16_t b) {
    const __m128 f = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(a | (static_cast<uint32_t>(b) << 16))));
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(f));
}

inline __m512i load_pair(const int8_t* first, const int8_t* second) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(first));
    const __m256i hi =
        second ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(second)) : _mm256_setzero_si256();
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

// ---- activations -----------------------------------------------------------------------------------

// Q8_0 as the reference engine's vector path computes it: d = max|x| / 127 stored as f16, codes =
// round-to-nearest-even(x * 127 / max|x|).
void quantize_q8_0(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const __m512 v0 = _mm512_loadu_ps(x + b * QK8_0), v1 = _mm512_loadu_ps(x + b * QK8_0 + 16);
        const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        const float inverse = amax != 0.0f ? 127.0f / amax : 0.0f;
        y[b].d = static_cast<uint16_t>(
            _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(amax / 127.0f), _MM_FROUND_TO_NEAREST_INT), 0));
        const __m512 s = _mm512_set1_ps(inverse);
        const __m512i q0 =
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(v0, s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __m512i q1 =
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(v1, s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs), _mm512_cvtsepi32_epi8(q0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16), _mm512_cvtsepi32_epi8(q1));
    }
}

// Q8_K as the block table's reference makes it: the value of largest magnitude (the first of equal
// ones) maps to -128, codes round to nearest even and saturate, sums per 16 codes.
void quantize_q8_K(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float* v = x + b * QK_K;
        __m512 amax = _mm512_setzero_ps();
        for (int r = 0; r < 16; ++r) amax = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(v + 16 * r)), amax);
        const float m = _mm512_reduce_max_ps(amax); // NaNs are skipped: MAXPS returns its second operand
        if (!(m > 0.0f)) {
            y[b] = BlockQ8_K{};
            continue;
        }
        float extreme = 0.0f;
        for (int r = 0; r < 16; ++r) {
            const __mmask16 at_max =
                _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(v + 16 * r)), _mm512_set1_ps(m), _CMP_EQ_OQ);
            if (at_max) {
                extreme = v[16 * r + __builtin_ctz(at_max)];
                break;
            }
        }
        extreme = extreme < -1e30f ? -1e30f : (extreme > 1e30f ? 1e30f : extreme);
        const float inverse = -128.0f / extreme;
        const __m512 s = _mm512_set1_ps(inverse);
        for (int r = 0; r < 16; ++r) {
            const __m512i q = _mm512_cvt_roundps_epi32(_mm512_mul_ps(_mm512_loadu_ps(v + 16 * r), s),
                                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            const __m512i clamped =
                _mm512_min_epi32(_mm512_max_epi32(q, _mm512_set1_epi32(-128)), _mm512_set1_epi32(127));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16 * r), _mm512_cvtepi32_epi8(clamped));
            y[b].bsums[r] = static_cast<int16_t>(_mm512_reduce_add_epi32(clamped));
        }
        y[b].d = 1.0f / inverse;
    }
}

// ---- q4_0 and q8_0 against q8_0 -------------------------------------------------------------------

// Weights are taken as signed bytes (q4_0 codes minus 8, q8_0 as stored) and activations as unsigned
// ones (plus 128): each weight register then starts its accumulation at -128 * (its sums of four
// codes), which cancels the activation offset inside VPDPBUSD without any per-pair correction.
struct Q4_0 {
    using Block = BlockQ4_0;
    // The 32 codes of each of two blocks (the second may be absent), in value order.
    static __m512i codes(const Block* b, bool two) {
        const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[0].qs));
        const __m128i x1 =
            two ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[1].qs)) : _mm_setzero_si128();
        const __m256i t = _mm256_inserti128_si256(_mm256_castsi128_si256(x0), x1, 1);
        const __m256i m = _mm256_set1_epi8(0x0F);
        const __m256i lo = _mm256_and_si256(t, m), hi = _mm256_and_si256(_mm256_srli_epi16(t, 4), m);
        const __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); // lo0 lo1 hi0 hi1
        return _mm512_sub_epi8(_mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 2, 0)),
                               _mm512_set1_epi8(8)); // lo0 hi0 lo1 hi1
    }
};

struct Q8_0 {
    using Block = BlockQ8_0;
    static __m512i codes(const Block* b, bool two) { return load_pair(b[0].qs, two ? b[1].qs : nullptr); }
};

template <class W, int MW, int MA, bool Two>
inline void legacy_step(int64_t b, const void* w, size_t ws, const void* a, size_t as,
                        __m512 (&acc)[MW][MA]) {
    using Block = typename W::Block;
    const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80)), zero = _mm512_setzero_si512();
    __m512i q[MW], start[MW];
    __m512 dw[MW];
    for (int i = 0; i < MW; ++i) {
        const Block* row = reinterpret_cast<const Block*>(at(w, ws, i)) + b;
        q[i] = W::codes(row, Two);
        start[i] = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, bias, q[i]));
        dw[i] = pair_of_halves(row[0].d, Two ? row[1].d : uint16_t{0});
    }
    for (int j = 0; j < MA; ++j) {
        const BlockQ8_0* y = reinterpret_cast<const BlockQ8_0*>(at(a, as, j)) + b;
        const __m512i yv = _mm512_xor_si512(load_pair(y[0].qs, Two ? y[1].qs : nullptr), bias);
        const __m512 dy = pair_of_halves(y[0].d, Two ? y[1].d : uint16_t{0});
        for (int i = 0; i < MW; ++i) {
            const __m512i dot = _mm512_dpbusd_epi32(start[i], yv, q[i]);
            acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw[i], dy), acc[i][j]);
        }
    }
}

template <class W, int MW, int MA>
void tile_legacy(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
    const int64_t nb = n / 32;
    __m512 acc[MW][MA];
    for (int i = 0; i < MW; ++i)
        for (int j = 0; j < MA; ++j) acc[i][j] = _mm512_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) legacy_step<W, MW, MA, true>(b, w, ws, a, as, acc);
    if (b < nb) legacy_step<W, MW, MA, false>(b, w, ws, a, as, acc);
    for (int i = 0; i < MW; ++i)
        for (int j = 0; j < MA; ++j)
            out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = _mm512_reduce_add_ps(acc[i][j]);
}

template <class W>
struct Legacy {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        tile_legacy<W, MW, MA>(n, w, ws, a, as, out, os);
    }
};

// ---- q4_0 batches: sixteen weight rows across the lanes ---------------------------------------------

// Prompt batches take sixteen weight rows at a time, one per 32-bit lane: block b of every row is
// decoded into eight registers (register k: values 4k .. 4k + 3 of each row), and each activation
// block is then read as four-byte broadcasts, so one VPDPBUSD multiplies 64 codes without any
// activation register and no dot product needs a horizontal sum. Per block and activation row: eight
// VPDPBUSD, one conversion, one multiply and one FMA for 512 products, where four blocks along the
// lanes of one row took twenty instructions for the same work.

// 32-bit lane p of register k takes word 4p + k of four registers (sixteen groups of four words).
inline __m512i word_of_lane(int k) {
    return _mm512_add_epi32(_mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60),
                            _mm512_set1_epi32(k));
}

// One activation block as these kernels read it: its codes, d as a float, and -offset x the sum of its
// codes (the weight format's code offset: q4_0 8, q5_0 16, q8_0 128 for its flipped sign bit), so the
// weights can be read as unsigned codes.
struct Q8Lanes {
    int8_t qs[QK8_0];
    float d;
    int32_t bias;
};
static_assert(sizeof(Q8Lanes) == 40);

template <int Offset>
void arrange_q8_lanes(const void* in, void* out, int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(in);
    auto* o = static_cast<Q8Lanes*>(out);
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const __m256i q = load256(x[b].qs);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(o[b].qs), q);
        const __m512i wide = _mm512_add_epi32(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(q)),
                                              _mm512_cvtepi8_epi32(_mm256_extracti128_si256(q, 1)));
        o[b].d = half(x[b].d);
        o[b].bias = -Offset * _mm512_reduce_add_epi32(wide);
    }
}

inline __m512i broadcast_word(const int8_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
}

// The 16 bytes at byte `at` of four rows, one row per 128-bit lane.
inline __m512i four_rows(const uint8_t* const* rows, size_t at) {
    const auto load = [&](int t) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[t] + at)); };
    __m512i z = _mm512_castsi128_si512(load(0));
    z = _mm512_inserti32x4(z, load(1), 1);
    z = _mm512_inserti32x4(z, load(2), 2);
    return _mm512_inserti32x4(z, load(3), 3);
}

// A block of sixteen rows of a 32-value format in registers: lane r belongs to row r.
struct LegacyRows {
    __m512i q[8]; // register k: unsigned codes 4k .. 4k + 3
    __m512 scale;
    __m512 min; // q4_1/q5_1 only
};

// Sixteen q4_0 rows as the file stores them: per block four 128-bit loads per register and a word
// permute per code word, and a gather for the scales. Rows past nw repeat the last real one (computed,
// never stored).
struct Q4_0FileRows {
    using Act = Q8Lanes;
    static constexpr bool kMin = false;
    const uint8_t* base;
    const uint8_t* rows[16];
    __m512i offset;
    Q4_0FileRows(const void* w, size_t ws, int nw) : base(static_cast<const uint8_t*>(w)) {
        alignas(64) int32_t offsets[16];
        for (int r = 0; r < 16; ++r) {
            offsets[r] = static_cast<int32_t>(static_cast<size_t>(r < nw ? r : nw - 1) * ws);
            rows[r] = base + offsets[r];
        }
        offset = _mm512_load_si512(offsets);
    }
    void decode(int64_t b, LegacyRows& d) const {
        const size_t at_block = static_cast<size_t>(b) * sizeof(BlockQ4_0);
        const __m512i nibble = _mm512_set1_epi8(0x0F);
        // Register m: the 16 code bytes of rows 4m .. 4m + 3, one row per 128-bit lane.
        __m512i z[4];
        for (int m = 0; m < 4; ++m) z[m] = four_rows(rows + 4 * m, at_block + 2);
        for (int k = 0; k < 4; ++k) {
            // Lane r: code word k of row r (indices wrap at 32 words, as in arrange_kbatch).
            const __m512i idx = word_of_lane(k);
            const __m512i g = _mm512_mask_mov_epi32(_mm512_permutex2var_epi32(z[0], idx, z[1]), 0xFF00,
                                                    _mm512_permutex2var_epi32(z[2], idx, z[3]));
            d.q[k] = _mm512_and_si512(g, nibble);
            d.q[k + 4] = _mm512_and_si512(_mm512_srli_epi16(g, 4), nibble);
        }
        const __m512i dw = _mm512_i32gather_epi32(offset, base + at_block, 1);
        d.scale = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dw));
    }
};

// For VPSHUFB: in every byte of 32-bit lane p, the index of that lane's first byte within its
// 128-bit lane.
inline __m512i lane_word_base() {
    constexpr int b0 = 0, b1 = 0x04040404, b2 = 0x08080808, b3 = 0x0C0C0C0C;
    return _mm512_setr_epi32(b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3, b0, b1, b2, b3);
}

// The 32-value formats repacked at load (repack_legacy): per block the sixteen rows' f16 d (q4_1/q5_1:
// their d and m words), q5_0/q5_1's qh words, then code word k of every row as one register, so a
// block needs a few plain loads and no shuffles. q8_0's signed codes are read with their sign bit
// flipped (as code + 128: the bias of its activations takes the 128 back out).
template <class Block>
struct LegacyPackedRows {
    static constexpr bool kMin = requires(Block x) { x.m; };
    static constexpr bool kFifth = requires(Block x) { x.qh; };
    static constexpr bool kEight = std::is_same_v<Block, BlockQ8_0>;
    using Act = std::conditional_t<kMin, BlockQ8_1, Q8Lanes>;
    static constexpr size_t kHeadBytes = kMin ? 4 : 2; // d, or d and m, per row
    static constexpr size_t kHead = 16 * kHeadBytes, kCodes = kHead + (kFifth ? 64 : 0);
    const uint8_t* group;
    LegacyPackedRows(const void* w, size_t, int) : group(static_cast<const uint8_t*>(w)) {}
    void decode(int64_t b, LegacyRows& d) const {
        const uint8_t* p = group + static_cast<size_t>(b) * 16 * sizeof(Block);
        if constexpr (kMin) {
            const __m512i dm = _mm512_loadu_si512(p);
            d.scale = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dm));
            d.min = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dm, 16)));
        } else {
            d.scale = _mm512_cvtph_ps(load256(p));
        }
        if constexpr (kEight) {
            for (int k = 0; k < 8; ++k)
                d.q[k] = _mm512_xor_si512(_mm512_loadu_si512(p + kCodes + 64 * k),
                                          _mm512_set1_epi8(static_cast<char>(0x80)));
            return;
        }
        const __m512i nibble = _mm512_set1_epi8(0x0F);
        for (int k = 0; k < 4; ++k) {
            const __m512i g = _mm512_loadu_si512(p + kCodes + 64 * k);
            d.q[k] = _mm512_and_si512(g, nibble);
            d.q[k + 4] = _mm512_and_si512(_mm512_srli_epi16(g, 4), nibble);
        }
        if constexpr (kFifth) {
            // Byte i of register k takes bit 4k + i of its row's qh word: byte k / 2 of the word,
            // replicated, tested against bit 4 (k % 2) + i, and 16 added where it is set.
            const __m512i qh = _mm512_loadu_si512(p + kHead);
            const __m512i bits = _mm512_set1_epi32(0x08040201);
            for (int k = 0; k < 8; ++k) {
                const __m512i pick = _mm512_set1_epi32((k / 2) * 0x01010101);
                const __m512i spread = _mm512_shuffle_epi8(qh, _mm512_add_epi8(pick, lane_word_base()));
                const __mmask64 set =
                    _mm512_test_epi8_mask(spread, k % 2 ? _mm512_slli_epi32(bits, 4) : bits);
                d.q[k] = _mm512_mask_add_epi8(d.q[k], set, d.q[k], _mm512_set1_epi8(16));
            }
        }
    }
};

// Writes sixteen rows of `Values`-value blocks as one group per block: first the sixteen rows' head
// field (HeadBytes at HeadAt: an f16 d, or d and m; none for most k-quants), then every other word of
// the block, word w of the sixteen rows as one 64-byte register. As many bytes as the rows.
template <class Block, int64_t Values, size_t HeadAt = 0, size_t HeadBytes = 0>
void repack_words(const void* rows, size_t row_bytes, void* out, int64_t n) {
    static_assert((sizeof(Block) - HeadBytes) % 4 == 0 && HeadAt % 4 == 0);
    constexpr size_t kWords = (sizeof(Block) - HeadBytes) / 4;
    const auto* in = static_cast<const uint8_t*>(rows);
    auto* o = static_cast<uint8_t*>(out);
    for (int64_t b = 0; b < n / Values; ++b, o += 16 * sizeof(Block))
        for (int r = 0; r < 16; ++r) {
            const uint8_t* block =
                in + static_cast<size_t>(r) * row_bytes + static_cast<size_t>(b) * sizeof(Block);
            std::memcpy(o + HeadBytes * r, block + HeadAt, HeadBytes);
            for (size_t w = 0; w < kWords; ++w)
                std::memcpy(o + 16 * HeadBytes + 64 * w + 4 * r,
                            block + (4 * w < HeadAt ? 4 * w : 4 * w + HeadBytes), 4);
        }
}

template <class Block>
constexpr auto repack_legacy = &repack_words<Block, 32, 0, LegacyPackedRows<Block>::kHeadBytes>;

// Tiles of sixteen weight rows across the lanes against 1 .. MA activation rows: Kernel::tile<na>.
template <class Kernel, int MA>
void lanes_dispatch(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, int na, float* out,
                    size_t os) {
    if constexpr (MA > 1)
        if (na < MA) return lanes_dispatch<Kernel, MA - 1>(n, w, ws, nw, a, as, na, out, os);
    Kernel::template tile<MA>(n, w, ws, nw, a, as, out, os);
}

template <class Kernel>
float lanes_dot(int64_t n, const void* w, const void* a) {
    float r = 0.0f;
    Kernel::template tile<1>(n, w, 0, 1, a, 0, &r, 1);
    return r;
}

// Bytes of an activation row of n values as `Values`-value blocks of type Act.
template <class Act, int64_t Values>
size_t blocks_row_bytes(int64_t n) {
    return static_cast<size_t>(n / Values) * sizeof(Act);
}

// Sixteen rows of a 32-value format (Src: as the file stores them, or packed) against MA activation
// rows: Q8Lanes (the code offset taken out by its bias) or, for q4_1/q5_1, q8_1 blocks (the min term
// from their sums).
template <class Src>
struct LegacyLanes {
    template <int MA>
    static void tile(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        using Act = typename Src::Act;
        const int64_t nb = n / 32;
        const Src src(w, ws, nw);
        __m512 acc[MA];
        for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) {
            LegacyRows rows;
            src.decode(b, rows);
            for (int j = 0; j < MA; ++j) {
                const Act& y = reinterpret_cast<const Act*>(at(a, as, j))[b];
                __m512i dot = _mm512_setzero_si512();
                if constexpr (!Src::kMin) dot = _mm512_set1_epi32(y.bias);
                for (int k = 0; k < 8; ++k)
                    dot = _mm512_dpbusd_epi32(dot, rows.q[k], broadcast_word(y.qs + 4 * k));
                acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot),
                                         _mm512_mul_ps(rows.scale, _mm512_set1_ps(y.d)), acc[j]);
                if constexpr (Src::kMin) acc[j] = _mm512_fmadd_ps(rows.min, _mm512_set1_ps(y.s), acc[j]);
            }
        }
        const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
        for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
    }
};

// ---- k-quants against q8_K, one token ---------------------------------------------------------------

// Generation reads each weight super-block once, so these kernels keep everything in registers: the
// codes as four 64-value runs, the sub-block scales applied in the 16-bit multiply (VPMADDUBSW +
// VPMADDWD), and the min / code offset term taken out with one more VPMADDWD against the activation's
// block sums. Rows are read one after the other, so each thread reads one sequential stream, which
// the hardware prefetchers follow best (several rows side by side read markedly slower).

// One super-block of one weight row in registers: value = d * sc * q - dmin * off per 16-value group.
struct KRuns {
    __m512i q[4];  // runs of 64 unsigned codes
    __m512i sc[4]; // the 16-bit scale of each code pair of a run
    __m256i off;   // per 16-value group (the order of BlockQ8_K::bsums): the offset or min multiplier
    float d, dmin;
};

// 16-bit lane l of run r takes the scale of group 4r + l / 8 (runs of four 16-value groups).
inline __m512i group_pick(int r) {
    return _mm512_add_epi16(
        _mm512_set1_epi16(static_cast<short>(4 * r)),
        _mm512_srli_epi16(_mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
                                           14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                          3));
}

// A vector of 16-bit lanes, 0..15 taking lane `a` and 16..31 lane `b` of a 16-bit source (the scales
// of the two 32-value sub-blocks a run covers).
inline __m512i halves_index(int a, int b) {
    return _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(static_cast<short>(a)),
                                   _mm512_set1_epi16(static_cast<short>(b)));
}

// A byte vector with `lo` in bytes 0..31 and `hi` in bytes 32..63.
inline __m512i halves_of_bytes(int lo, int hi) {
    return _mm512_mask_blend_epi8(0xFFFFFFFF00000000ull, _mm512_set1_epi8(static_cast<char>(lo)),
                                  _mm512_set1_epi8(static_cast<char>(hi)));
}

// The same with 16-bit lanes.
inline __m512i halves_of_words(int lo, int hi) {
    return _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(static_cast<short>(lo)),
                                   _mm512_set1_epi16(static_cast<short>(hi)));
}

inline __m512i broadcast32(const uint8_t* p) {
    return _mm512_broadcast_i64x4(load256(p));
}

// Activation runs of 64 values in value order (formats whose runs are values 64r .. 64r + 63).
inline void runs_in_order(const BlockQ8_K& y, __m512i (&v)[4]) {
    for (int r = 0; r < 4; ++r) v[r] = _mm512_loadu_si512(y.qs + 64 * r);
}

// q2_K and q3_K: run 2h + p holds values 128h + 64p .. + 63, bits 4p and 4p + 2 of qs[32h + l].
inline __m512i two_bit_run(__m512i qs_half, int p) {
    return _mm512_and_si512(_mm512_srlv_epi16(qs_half, halves_of_words(4 * p, 4 * p + 2)),
                            _mm512_set1_epi8(3));
}

struct OneQ2_K {
    using Block = BlockQ2_K;
    static void decode(const Block& x, KRuns& k) {
        for (int h = 0; h < 2; ++h) {
            const __m512i qs = broadcast32(x.qs + 32 * h);
            for (int p = 0; p < 2; ++p) k.q[2 * h + p] = two_bit_run(qs, p);
        }
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x.scales));
        const __m128i m4 = _mm_set1_epi8(0x0F);
        const __m512i sc = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_and_si128(s, m4)));
        for (int r = 0; r < 4; ++r) k.sc[r] = _mm512_permutexvar_epi16(group_pick(r), sc);
        k.off = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s, 4), m4));
        k.d = half(x.d);
        k.dmin = half(x.dmin);
    }
    static void activation(const BlockQ8_K& y, __m512i (&v)[4]) { runs_in_order(y, v); }
};

// The sixteen 6-bit q3_K scales, minus 32, as 16-bit lanes.
inline __m256i q3_scales(const uint8_t* p) {
    uint32_t u[3];
    __builtin_memcpy(u, p, 12);
    const uint32_t low4 = 0x0F0F0F0F, top2 = 0x03030303;
    const __m128i s = _mm_setr_epi32(static_cast<int>((u[0] & low4) | ((u[2] & top2) << 4)),
                                     static_cast<int>((u[1] & low4) | (((u[2] >> 2) & top2) << 4)),
                                     static_cast<int>(((u[0] >> 4) & low4) | (((u[2] >> 4) & top2) << 4)),
                                     static_cast<int>(((u[1] >> 4) & low4) | (((u[2] >> 6) & top2) << 4)));
    return _mm256_sub_epi16(_mm256_cvtepu8_epi16(s), _mm256_set1_epi16(32));
}

struct OneQ3_K {
    using Block = BlockQ3_K;
    static void decode(const Block& x, KRuns& k) {
        const __m512i hmask = broadcast32(x.hmask), four = _mm512_set1_epi8(4);
        for (int h = 0; h < 2; ++h) {
            const __m512i qs = broadcast32(x.qs + 32 * h);
            for (int p = 0; p < 2; ++p) {
                const __m512i low = two_bit_run(qs, p);
                const __mmask64 third = _mm512_test_epi8_mask(
                    hmask, halves_of_bytes(1 << (4 * h + 2 * p), 1 << (4 * h + 2 * p + 1)));
                k.q[2 * h + p] = _mm512_mask_add_epi8(low, third, low, four);
            }
        }
        const __m256i sc = q3_scales(x.scales);
        for (int r = 0; r < 4; ++r)
            k.sc[r] = _mm512_permutexvar_epi16(group_pick(r), _mm512_castsi256_si512(sc));
        k.off = _mm256_slli_epi16(sc, 2); // codes are stored + 4
        k.d = k.dmin = half(x.d);
    }
    static void activation(const BlockQ8_K& y, __m512i (&v)[4]) { runs_in_order(y, v); }
};

// The eight 6-bit scales (bytes 0..7) and mins (bytes 8..15) of a q4_K/q5_K super-block, from the
// 12 packed bytes at p (p + 12 .. 15 are read and ignored): in 32-bit lanes u0 u1 u2, scales 0..3 are
// u0 & 63, mins 0..3 u1 & 63, scales 4..7 the low nibbles of u2 with the top bits of u0, mins 4..7 the
// high nibbles of u2 with the top bits of u1.
inline __m128i scales_and_mins(const uint8_t* p) {
    const __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i a = _mm_shuffle_epi32(u, _MM_SHUFFLE(2, 1, 2, 0)); // u0 u2 u1 u2
    const __m128i b = _mm_shuffle_epi32(u, _MM_SHUFFLE(1, 1, 0, 0)); // u0 u0 u1 u1
    const __m128i low = _mm_and_si128(_mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4)),
                                      _mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F));
    const __m128i top = _mm_and_si128(_mm_srli_epi32(b, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
    return _mm_or_si128(low, top);
}

// q4_K and q5_K: runs are the low and high nibbles of qs[0..64) (sub-blocks 0, 2 and 1, 3) and of
// qs[64..128) (4, 6 and 5, 7); q5_K adds 16 where its fifth bit (bit 2c or 2c + 1 of qh[l]) is set.
template <class B, bool Fifth>
struct OneQ4_5K {
    using Block = B;
    static void decode(const Block& x, KRuns& k) {
        const __m512i m4 = _mm512_set1_epi8(0x0F);
        const __m512i raw0 = _mm512_loadu_si512(x.qs), raw1 = _mm512_loadu_si512(x.qs + 64);
        k.q[0] = _mm512_and_si512(raw0, m4);
        k.q[1] = _mm512_and_si512(_mm512_srli_epi16(raw0, 4), m4);
        k.q[2] = _mm512_and_si512(raw1, m4);
        k.q[3] = _mm512_and_si512(_mm512_srli_epi16(raw1, 4), m4);
        if constexpr (Fifth) {
            const __m512i qh = broadcast32(x.qh), sixteen = _mm512_set1_epi8(16);
            constexpr int bits[4][2] = {{0, 2}, {1, 3}, {4, 6}, {5, 7}};
            for (int r = 0; r < 4; ++r) {
                const __mmask64 fifth =
                    _mm512_test_epi8_mask(qh, halves_of_bytes(1 << bits[r][0], 1 << bits[r][1]));
                k.q[r] = _mm512_mask_add_epi8(k.q[r], fifth, k.q[r], sixteen);
            }
        }
        const __m256i sm = _mm256_cvtepu8_epi16(scales_and_mins(x.scales));
        const __m512i pick[4] = {halves_index(0, 2), halves_index(1, 3), halves_index(4, 6),
                                 halves_index(5, 7)};
        for (int r = 0; r < 4; ++r) k.sc[r] = _mm512_permutexvar_epi16(pick[r], _mm512_castsi256_si512(sm));
        // 16-bit lanes 2s and 2s + 1 (the two bsums of sub-block s): its min, lane 8 + s of sm.
        k.off = _mm256_permutexvar_epi16(
            _mm256_setr_epi16(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15), sm);
        k.d = half(x.d);
        k.dmin = half(x.dmin);
    }
    // The activations come arranged in run order (arrange_runs_4_5k).
    static void activation(const BlockQ8_K& y, __m512i (&v)[4]) { runs_in_order(y, v); }
};

// q8_K rows with their codes in the run order of q4_K/q5_K (values 0..31 and 64..95, then 32..63 and
// 96..127, and the same for the second half), once per product rather than once per weight row.
void arrange_runs_4_5k(const void* in, void* out, int64_t n) {
    const auto* x = static_cast<const BlockQ8_K*>(in);
    auto* y = static_cast<BlockQ8_K*>(out);
    constexpr int kFrom[8] = {0, 64, 32, 96, 128, 192, 160, 224};
    for (int64_t b = 0; b < n / QK_K; ++b) {
        y[b] = x[b];
        for (int i = 0; i < 8; ++i)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[b].qs + 32 * i), load256(x[b].qs + kFrom[i]));
    }
}

struct OneQ6_K {
    using Block = BlockQ6_K;
    static void decode(const Block& x, KRuns& k) {
        const __m512i m4 = _mm512_set1_epi8(0x0F), m2 = _mm512_set1_epi8(0x03);
        // Run 2h + p covers values 128h + 64p .. + 63: nibbles of ql[64h ..], top bits 4p, 4p + 2 of qh.
        for (int h = 0; h < 2; ++h) {
            const __m512i low = _mm512_loadu_si512(x.ql + 64 * h);
            const __m512i high = broadcast32(x.qh + 32 * h);
            for (int p = 0; p < 2; ++p) {
                const __m512i nib =
                    p == 0 ? _mm512_and_si512(low, m4) : _mm512_and_si512(_mm512_srli_epi16(low, 4), m4);
                const __m512i top =
                    _mm512_and_si512(_mm512_srlv_epi16(high, halves_of_words(4 * p, 4 * p + 2)), m2);
                k.q[2 * h + p] = _mm512_or_si512(nib, _mm512_slli_epi16(top, 4));
            }
        }
        const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.scales)));
        for (int r = 0; r < 4; ++r)
            k.sc[r] = _mm512_permutexvar_epi16(group_pick(r), _mm512_castsi256_si512(sc));
        k.off = _mm256_slli_epi16(sc, 5); // codes are stored + 32
        k.d = k.dmin = half(x.d);
    }
    static void activation(const BlockQ8_K& y, __m512i (&v)[4]) { runs_in_order(y, v); }
};

template <class D>
struct KOneToken {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        using Block = typename D::Block;
        const int64_t nb = n / QK_K;
        for (int i = 0; i < MW; ++i) {
            const Block* x = reinterpret_cast<const Block*>(at(w, ws, i));
            __m512 acc[MA];
            __m256 acc_off[MA];
            for (int j = 0; j < MA; ++j) {
                acc[j] = _mm512_setzero_ps();
                acc_off[j] = _mm256_setzero_ps();
            }
            for (int64_t b = 0; b < nb; ++b) {
                // Asking for the next super-block's lines early keeps more of them in flight than the
                // hardware prefetchers alone (measured: up to a quarter faster from memory).
                prefetch_lines(x + b + 1, sizeof(Block));
                KRuns k;
                D::decode(x[b], k);
                for (int j = 0; j < MA; ++j) {
                    const BlockQ8_K& y = reinterpret_cast<const BlockQ8_K*>(at(a, as, j))[b];
                    __m512i yv[4];
                    D::activation(y, yv);
                    __m512i isum = _mm512_madd_epi16(_mm512_maddubs_epi16(k.q[0], yv[0]), k.sc[0]);
                    for (int r = 1; r < 4; ++r)
                        isum = _mm512_add_epi32(
                            isum, _mm512_madd_epi16(_mm512_maddubs_epi16(k.q[r], yv[r]), k.sc[r]));
                    const __m256i osum = _mm256_madd_epi16(load256(y.bsums), k.off);
                    acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(k.d * y.d), acc[j]);
                    acc_off[j] =
                        _mm256_fmadd_ps(_mm256_cvtepi32_ps(osum), _mm256_set1_ps(k.dmin * y.d), acc_off[j]);
                }
            }
            for (int j = 0; j < MA; ++j)
                out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] =
                    _mm512_reduce_add_ps(acc[j]) - hsum(acc_off[j]);
        }
    }
};

// ---- k-quant batches: sub-block sums with VPDPBUSD ------------------------------------------------

// Prompt batches with 16-value sub-blocks (q2_K, q3_K, q6_K) decode each weight super-block once per
// tile into four registers whose 32-bit lane p holds four consecutive codes of the 16-value sub-block
// p (register k: its values 4k .. 4k + 3); the activations are arranged the same way once per
// product. Four VPDPBUSD then give all sixteen sub-block sums at once, and the sub-block scales and
// mins are applied in floats: eight instructions per super-block and activation row, where
// VPMADDUBSW + VPMADDWD over value-ordered runs took about twenty-five.

// One activation super-block in that order: its codes, d * (sum of the codes) of each sub-block, d.
struct KBatchAct {
    int8_t q[QK_K];
    float sums[16];
    float d;
    float pad[15]; // whole cache lines
};
static_assert(sizeof(KBatchAct) == 384);

void arrange_kbatch(const void* in, void* out, int64_t n) {
    const auto* y = static_cast<const BlockQ8_K*>(in);
    auto* o = static_cast<KBatchAct*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        __m512i v[4];
        for (int m = 0; m < 4; ++m) v[m] = _mm512_loadu_si512(y[b].qs + 64 * m);
        for (int k = 0; k < 4; ++k) {
            // Indices wrap at 32 words: lanes 0..7 come from the first two registers, 8..15 from the others.
            const __m512i idx = word_of_lane(k);
            const __m512i first = _mm512_permutex2var_epi32(v[0], idx, v[1]);
            const __m512i second = _mm512_permutex2var_epi32(v[2], idx, v[3]);
            _mm512_storeu_si512(o[b].q + 64 * k, _mm512_mask_mov_epi32(first, 0xFF00, second));
        }
        const __m512 sums = _mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(load256(y[b].bsums)));
        _mm512_storeu_ps(o[b].sums, _mm512_mul_ps(sums, _mm512_set1_ps(y[b].d)));
        o[b].d = y[b].d;
        for (float& p : o[b].pad) p = 0.0f;
    }
}

// Where a k-quant stores the bits of its codes, in the order above: for lane p, the 32-bit word of
// the array that holds values 0..3 of sub-block p (values 4k .. 4k + 3 are in word base + k), and the
// shift that brings the field down to bit 0 of each byte.
struct CodeField {
    int32_t word[16];
    int32_t shift[16];
};

template <class Word, class Shift>
constexpr CodeField code_field(Word word, Shift shift) {
    CodeField f{};
    for (int p = 0; p < 16; ++p) {
        f.word[p] = word(p);
        f.shift[p] = shift(p);
    }
    return f;
}

// The field `f` of `Bytes` bytes of bit-packed codes at src, masked with `mask` in every byte.
template <int Bytes>
inline void extract_field(const uint8_t* src, const CodeField& f, uint32_t mask, __m512i (&out)[4]) {
    __m512i lo, hi = _mm512_setzero_si512();
    if constexpr (Bytes == 32)
        lo = _mm512_zextsi256_si512(load256(src));
    else
        lo = _mm512_loadu_si512(src);
    if constexpr (Bytes == 128) hi = _mm512_loadu_si512(src + 64);
    const __m512i word = _mm512_loadu_si512(f.word), shift = _mm512_loadu_si512(f.shift);
    const __m512i m = _mm512_set1_epi32(static_cast<int>(mask));
    for (int k = 0; k < 4; ++k) {
        const __m512i idx = _mm512_add_epi32(word, _mm512_set1_epi32(k));
        const __m512i g =
            Bytes == 128 ? _mm512_permutex2var_epi32(lo, idx, hi) : _mm512_permutexvar_epi32(idx, lo);
        out[k] = _mm512_and_si512(_mm512_srlv_epi32(g, shift), m);
    }
}

// Adds a high field (already masked) to the codes, `at` bits up.
template <int Bytes>
inline void add_high_field(const uint8_t* src, const CodeField& f, uint32_t mask, int at, __m512i (&q)[4]) {
    __m512i high[4];
    extract_field<Bytes>(src, f, mask, high);
    for (int k = 0; k < 4; ++k)
        q[k] = _mm512_or_si512(q[k], _mm512_sll_epi32(high[k], _mm_cvtsi32_si128(at)));
}

// Per lane p (a 16-value sub-block): value = scale * code - offset.
struct KScales {
    __m512 scale, offset;
};

inline __m512 dword_floats(__m512i v) {
    return _mm512_cvtepi32_ps(v);
}

// Sub-block p of q2_K/q3_K covers values 128h + 32j + 16s.. with p = 8h + 2j + s: bits 2j of qs[32h + l].
constexpr CodeField kTwoBitLow =
    code_field([](int p) { return 8 * (p / 8) + 4 * (p % 2); }, [](int p) { return 2 * ((p / 2) % 4); });

struct BatchQ2_K {
    using Block = BlockQ2_K;
    static void decode(const Block& x, __m512i (&q)[4], KScales& s) {
        extract_field<64>(x.qs, kTwoBitLow, 0x03030303u, q);
        const __m512i e = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.scales)));
        s.scale = _mm512_mul_ps(dword_floats(_mm512_and_si512(e, _mm512_set1_epi32(15))),
                                _mm512_set1_ps(half(x.d)));
        s.offset = _mm512_mul_ps(dword_floats(_mm512_srli_epi32(e, 4)), _mm512_set1_ps(half(x.dmin)));
    }
};

struct BatchQ3_K {
    using Block = BlockQ3_K;
    // The third bit: bit 4h + j of hmask[l].
    static constexpr CodeField kHigh =
        code_field([](int p) { return 4 * (p % 2); }, [](int p) { return 4 * (p / 8) + (p / 2) % 4; });
    static void decode(const Block& x, __m512i (&q)[4], KScales& s) {
        extract_field<64>(x.qs, kTwoBitLow, 0x03030303u, q);
        add_high_field<32>(x.hmask, kHigh, 0x01010101u, 2, q);
        s.scale = _mm512_mul_ps(dword_floats(_mm512_cvtepi16_epi32(q3_scales(x.scales))),
                                _mm512_set1_ps(half(x.d)));
        s.offset = _mm512_mul_ps(s.scale, _mm512_set1_ps(4.0f)); // codes are stored + 4
    }
};

struct BatchQ6_K {
    using Block = BlockQ6_K;
    // Sub-block p covers values 128h + 32g + 16s.. with p = 8h + 2g + s: nibble g / 2 of
    // ql[64h + 32(g % 2) + l] and bits 2g of qh[32h + l].
    static constexpr CodeField kLow =
        code_field([](int p) { return 16 * (p / 8) + 8 * ((p / 2) % 2) + 4 * (p % 2); },
                   [](int p) { return 4 * (((p / 2) % 4) / 2); });
    static constexpr CodeField kHigh =
        code_field([](int p) { return 8 * (p / 8) + 4 * (p % 2); }, [](int p) { return 2 * ((p / 2) % 4); });
    static void decode(const Block& x, __m512i (&q)[4], KScales& s) {
        extract_field<128>(x.ql, kLow, 0x0F0F0F0Fu, q);
        add_high_field<64>(x.qh, kHigh, 0x03030303u, 4, q);
        const __m512i e = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.scales)));
        s.scale = _mm512_mul_ps(dword_floats(e), _mm512_set1_ps(half(x.d)));
        s.offset = _mm512_mul_ps(s.scale, _mm512_set1_ps(32.0f)); // codes are stored + 32
    }
};

template <class D>
struct KBatch {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        using Block = typename D::Block;
        const int64_t nb = n / QK_K;
        __m512 acc[MW][MA];
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j) acc[i][j] = _mm512_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) {
            __m512i q[MW][4];
            KScales s[MW];
            for (int i = 0; i < MW; ++i)
                D::decode(reinterpret_cast<const Block*>(at(w, ws, i))[b], q[i], s[i]);
            for (int j = 0; j < MA; ++j) {
                const KBatchAct& y = reinterpret_cast<const KBatchAct*>(at(a, as, j))[b];
                const __m512 yd = _mm512_set1_ps(y.d), sums = _mm512_loadu_ps(y.sums);
                for (int i = 0; i < MW; ++i) {
                    __m512i dot =
                        _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[i][0], _mm512_loadu_si512(y.q));
                    for (int k = 1; k < 4; ++k)
                        dot = _mm512_dpbusd_epi32(dot, q[i][k], _mm512_loadu_si512(y.q + 64 * k));
                    acc[i][j] =
                        _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(s[i].scale, yd), acc[i][j]);
                    acc[i][j] = _mm512_fnmadd_ps(s[i].offset, sums, acc[i][j]);
                }
            }
        }
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j)
                out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = _mm512_reduce_add_ps(acc[i][j]);
    }
};

// ---- q4_K and q5_K batches: sixteen weight rows across the lanes ------------------------------------

// The q4_0 arrangement for the k-quants with 32-value sub-blocks: a super-block of sixteen rows is
// decoded once per tile (lane r = row r), and then each activation row costs, per sub-block, eight
// VPDPBUSD against four-byte broadcasts, a conversion, a multiply and an FMA for the scale and one
// more FMA for the min: 12 instructions per 512 products, where the sub-block-ordered kernel above
// takes 16 and whole activation registers.

// One q8_K activation super-block as these kernels read it: its codes, d, and d x (sum of the codes)
// of each 32-value sub-block.
struct Q8KLanes {
    int8_t qs[QK_K];
    float d;
    float sums[8];
    float pad[7]; // whole cache lines
};
static_assert(sizeof(Q8KLanes) == 320);

void arrange_q8k_lanes(const void* in, void* out, int64_t n) {
    const auto* y = static_cast<const BlockQ8_K*>(in);
    auto* o = static_cast<Q8KLanes*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        std::memcpy(o[b].qs, y[b].qs, QK_K);
        o[b].d = y[b].d;
        for (int s = 0; s < 8; ++s)
            o[b].sums[s] = y[b].d * static_cast<float>(y[b].bsums[2 * s] + y[b].bsums[2 * s + 1]);
        for (float& p : o[b].pad) p = 0.0f;
    }
}

// A super-block of sixteen weight rows, decoded: lane r of every register belongs to row r.
struct K32Rows {
    __m512i q[8][8]; // sub-block s, register k: codes 32s + 4k .. 32s + 4k + 3
    __m512 scale[8]; // d x the sub-block's scale
    __m512 min[8];   // dmin x the sub-block's min
};

// Words 0..3 of the 16 bytes at byte `at` of sixteen rows, one register per word: four 128-bit loads
// per register (row 4m + t in lane t of register m), then a 4 x 4 transpose of 32-bit words, which
// leaves row 4 (p % 4) + p / 4 in lane p (an order that is its own inverse).
inline void words_of_rows(const uint8_t* const (&rows)[16], size_t at, __m512i* out) {
    __m512i z[4];
    for (int m = 0; m < 4; ++m) z[m] = four_rows(rows + 4 * m, at);
    const __m512i a = _mm512_unpacklo_epi32(z[0], z[1]), b = _mm512_unpackhi_epi32(z[0], z[1]);
    const __m512i c = _mm512_unpacklo_epi32(z[2], z[3]), d = _mm512_unpackhi_epi32(z[2], z[3]);
    out[0] = _mm512_unpacklo_epi64(a, c);
    out[1] = _mm512_unpackhi_epi64(a, c);
    out[2] = _mm512_unpacklo_epi64(b, d);
    out[3] = _mm512_unpackhi_epi64(b, d);
}

// Lane p of words_of_rows' registers holds row 4 (p % 4) + p / 4; this index puts row r back in lane r.
inline __m512i rows_in_order() {
    return _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
}

// Sixteen rows of a k-quant whose blocks are whole 32-bit words, as the file stores them: four words
// at a time come from four 128-bit loads per register and a word transpose (words_of_rows), which
// leaves the rows in lane order 4 (p % 4) + p / 4. Rows past nw repeat the last real one.
template <class Block>
struct FileWords {
    const uint8_t* rows[16];
    FileWords(const void* w, size_t ws, int nw) {
        for (int r = 0; r < 16; ++r)
            rows[r] = static_cast<const uint8_t*>(w) + static_cast<size_t>(r < nw ? r : nw - 1) * ws;
    }
    // Words at .. at + 15 bytes of block b of each row, one register per word.
    void words(int64_t b, size_t at, __m512i* out) const {
        words_of_rows(rows, static_cast<size_t>(b) * sizeof(Block) + at, out);
    }
    static __m512 in_row_order(__m512 v) { return _mm512_permutexvar_ps(rows_in_order(), v); }
};

// The same blocks repacked at load (repack_words): word w of block b of the sixteen rows is one
// 64-byte register, row r in lane r.
template <class Block>
struct PackedWords {
    const uint8_t* group;
    PackedWords(const void* w, size_t, int) : group(static_cast<const uint8_t*>(w)) {}
    void words(int64_t b, size_t at, __m512i* out) const {
        const uint8_t* p = group + static_cast<size_t>(b) * 16 * sizeof(Block) + at / 4 * 64;
        for (int i = 0; i < 4; ++i) out[i] = _mm512_loadu_si512(p + 64 * i);
    }
    static __m512 in_row_order(__m512 v) { return v; }
};

// d x the scale and dmin x the min of sub-block s of q4_K/q5_K rows (one per lane), from the 12
// packed bytes u0 u1 u2: sub-block s < 4 has byte s of u0 and u1; s >= 4 the low and high nibbles of
// byte s - 4 of u2 with the top bits of byte s - 4 of u0 and u1.
inline void scale_and_min(__m512i u0, __m512i u1, __m512i u2, int s, __m512 d, __m512 dmin, __m512& scale,
                          __m512& min) {
    const __m512i six = _mm512_set1_epi32(63), four = _mm512_set1_epi32(15), two = _mm512_set1_epi32(3);
    __m512i sc, m;
    if (s < 4) {
        sc = _mm512_and_si512(_mm512_srli_epi32(u0, 8 * s), six);
        m = _mm512_and_si512(_mm512_srli_epi32(u1, 8 * s), six);
    } else {
        const int t = 8 * (s - 4);
        const __m512i top0 = _mm512_and_si512(_mm512_srli_epi32(u0, t + 6), two);
        const __m512i top1 = _mm512_and_si512(_mm512_srli_epi32(u1, t + 6), two);
        sc = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(u2, t), four), _mm512_slli_epi32(top0, 4));
        m = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(u2, t + 4), four), _mm512_slli_epi32(top1, 4));
    }
    scale = _mm512_mul_ps(_mm512_cvtepi32_ps(sc), d);
    min = _mm512_mul_ps(_mm512_cvtepi32_ps(m), dmin);
}

template <class B, bool Fifth>
struct Rows4_5K {
    using Block = B;
    template <class Src>
    static void decode(const Src& src, int64_t b, K32Rows& d) {
        const __m512i nibble = _mm512_set1_epi8(0x0F), bit = _mm512_set1_epi8(1);
        __m512i fifth[8];
        if constexpr (Fifth) {
            src.words(b, offsetof(Block, qh), fifth);
            src.words(b, offsetof(Block, qh) + 16, fifth + 4);
        }
        for (int c = 0; c < 4; ++c)
            for (int h = 0; h < 2; ++h) {
                // Sub-blocks 2c and 2c + 1: the low and high nibbles of qs[32c ..], and for q5_K bits
                // 2c and 2c + 1 of qh[..] as 16.
                __m512i g[4];
                src.words(b, offsetof(Block, qs) + 32 * c + 16 * h, g);
                for (int i = 0; i < 4; ++i) {
                    const int k = 4 * h + i;
                    __m512i lo = _mm512_and_si512(g[i], nibble);
                    __m512i hi = _mm512_and_si512(_mm512_srli_epi32(g[i], 4), nibble);
                    if constexpr (Fifth) {
                        const __m512i f = fifth[k];
                        lo = _mm512_or_si512(
                            lo, _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(f, 2 * c), bit), 4));
                        hi = _mm512_or_si512(
                            hi, _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(f, 2 * c + 1), bit), 4));
                    }
                    d.q[2 * c][k] = lo;
                    d.q[2 * c + 1][k] = hi;
                }
            }
        // Scales and mins (6 bits each) from the 12 packed bytes u0 u1 u2: sub-block s < 4 has byte s
        // of u0 and u1; s >= 4 the low and high nibbles of byte s - 4 of u2 with the top bits of byte
        // s - 4 of u0 and u1. Word 0 holds d and dmin.
        __m512i head[4];
        src.words(b, 0, head);
        const __m512i u0 = head[1], u1 = head[2], u2 = head[3];
        const __m512 dd = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(head[0]));
        const __m512 dmin = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(head[0], 16)));
        for (int s = 0; s < 8; ++s) scale_and_min(u0, u1, u2, s, dd, dmin, d.scale[s], d.min[s]);
    }
};

template <class D, class Src>
struct K32Lanes {
    template <int MA>
    static void tile(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        const int64_t nb = n / QK_K;
        const Src src(w, ws, nw);
        __m512 acc[MA];
        for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
        K32Rows decoded;
        for (int64_t b = 0; b < nb; ++b) {
            D::decode(src, b, decoded);
            for (int s = 0; s < 8; ++s) {
                for (int j = 0; j < MA; ++j) {
                    const Q8KLanes& y = reinterpret_cast<const Q8KLanes*>(at(a, as, j))[b];
                    __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), decoded.q[s][0],
                                                      broadcast_word(y.qs + 32 * s));
                    for (int k = 1; k < 8; ++k)
                        dot =
                            _mm512_dpbusd_epi32(dot, decoded.q[s][k], broadcast_word(y.qs + 32 * s + 4 * k));
                    acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot),
                                             _mm512_mul_ps(decoded.scale[s], _mm512_set1_ps(y.d)), acc[j]);
                    acc[j] = _mm512_fnmadd_ps(decoded.min[s], _mm512_set1_ps(y.sums[s]), acc[j]);
                }
            }
        }
        const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
        for (int j = 0; j < MA; ++j)
            _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, Src::in_row_order(acc[j]));
    }
};

// One or two activation rows against packed q4_K/q5_K rows: each code word is used as it is loaded,
// where batches decode a super-block to memory once for all their rows (for one row, the stores and
// reloads cost as much as the products). Not inlined: inside the batch dispatch the compiler's
// register choices made it 14% slower.
template <class Block, bool Fifth, int MA>
[[gnu::noinline]] void k32_packed_few(int64_t n, const void* w, int nw, const void* a, size_t as, float* out,
                                      size_t os) {
    const auto* group = static_cast<const uint8_t*>(w);
    const __m512i nibble = _mm512_set1_epi8(0x0F), bit = _mm512_set1_epi8(1);
    __m512 acc[MA];
    for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* block = group + static_cast<size_t>(b) * 16 * sizeof(Block);
        // Word at byte `at` of the block, for the sixteen rows.
        const auto word = [block](size_t at) { return _mm512_loadu_si512(block + at / 4 * 64); };
        const __m512i head = word(0);
        const __m512 dd = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(head));
        const __m512 dmin = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(head, 16)));
        const __m512i u0 = word(offsetof(Block, scales)), u1 = word(offsetof(Block, scales) + 4),
                      u2 = word(offsetof(Block, scales) + 8);
        const Q8KLanes* y[MA];
        for (int j = 0; j < MA; ++j) y[j] = reinterpret_cast<const Q8KLanes*>(at(a, as, j)) + b;
        for (int c = 0; c < 4; ++c) {
            // Sub-blocks 2c and 2c + 1: the low and high nibbles of qs[32c ..] (q5_K: and bits 2c and
            // 2c + 1 of qh[..] as 16).
            __m512i dot[MA][2];
            for (int j = 0; j < MA; ++j) dot[j][0] = dot[j][1] = _mm512_setzero_si512();
            for (int k = 0; k < 8; ++k) {
                const __m512i g = word(offsetof(Block, qs) + 32 * c + 4 * k);
                __m512i lo = _mm512_and_si512(g, nibble),
                        hi = _mm512_and_si512(_mm512_srli_epi32(g, 4), nibble);
                if constexpr (Fifth) {
                    const __m512i f = word(offsetof(Block, qh) + 4 * k);
                    lo = _mm512_or_si512(
                        lo, _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(f, 2 * c), bit), 4));
                    hi = _mm512_or_si512(
                        hi, _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(f, 2 * c + 1), bit), 4));
                }
                for (int j = 0; j < MA; ++j) {
                    dot[j][0] = _mm512_dpbusd_epi32(dot[j][0], lo, broadcast_word(y[j]->qs + 64 * c + 4 * k));
                    dot[j][1] =
                        _mm512_dpbusd_epi32(dot[j][1], hi, broadcast_word(y[j]->qs + 64 * c + 32 + 4 * k));
                }
            }
            for (int t = 0; t < 2; ++t) {
                __m512 scale, min;
                scale_and_min(u0, u1, u2, 2 * c + t, dd, dmin, scale, min);
                for (int j = 0; j < MA; ++j) {
                    acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[j][t]),
                                             _mm512_mul_ps(scale, _mm512_set1_ps(y[j]->d)), acc[j]);
                    acc[j] = _mm512_fnmadd_ps(min, _mm512_set1_ps(y[j]->sums[2 * c + t]), acc[j]);
                }
            }
        }
    }
    const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
    for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
}

template <class B, bool Fifth>
struct K32Packed {
    template <int MA>
    static void tile(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        if constexpr (MA <= 2)
            k32_packed_few<B, Fifth, MA>(n, w, nw, a, as, out, os);
        else
            K32Lanes<Rows4_5K<B, Fifth>, PackedWords<B>>::template tile<MA>(n, w, ws, nw, a, as, out, os);
    }
};

// ---- q6_K, packed: sixteen weight rows across the lanes --------------------------------------------

// q6_K blocks (210 bytes) are no whole number of words, so their packed group has a layout of its
// own: the sixteen d (f16), the sixteen rows' scales per 16-value sub-block, then the code words in
// the order the decoder takes them, each the same word of the sixteen rows as one 64-byte register
// (row r in lane r): for h, half, k the ql words 16h + 4 half + k and 16h + 8 + 4 half + k and the qh
// word 8h + 4 half + k. One sequential stream: three streams through one block (ql and qh apart)
// measured three times slower from memory. Same size as the sixteen rows.
constexpr size_t kQ6Scales = 32, kQ6Codes = kQ6Scales + 16 * 16;
static_assert(kQ6Codes + 48 * 64 == 16 * sizeof(BlockQ6_K));

// The three words of step (h, half, k): ql, ql + 8, qh.
constexpr int q6_step(int h, int half, int k) {
    return 8 * h + 4 * half + k;
}

void repack_q6_K(const void* rows, size_t row_bytes, void* out, int64_t n) {
    const auto* in = static_cast<const uint8_t*>(rows);
    auto* o = static_cast<uint8_t*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b, o += 16 * sizeof(BlockQ6_K))
        for (int r = 0; r < 16; ++r) {
            const auto& x = *reinterpret_cast<const BlockQ6_K*>(in + static_cast<size_t>(r) * row_bytes +
                                                                static_cast<size_t>(b) * sizeof(BlockQ6_K));
            std::memcpy(o + 2 * r, &x.d, 2);
            for (int p = 0; p < 16; ++p) o[kQ6Scales + 16 * p + r] = static_cast<uint8_t>(x.scales[p]);
            for (int h = 0; h < 2; ++h)
                for (int half = 0; half < 2; ++half)
                    for (int k = 0; k < 4; ++k) {
                        uint8_t* step = o + kQ6Codes + 192 * q6_step(h, half, k) + 4 * r;
                        const int word = 4 * half + k;
                        std::memcpy(step, x.ql + 4 * (16 * h + word), 4);
                        std::memcpy(step + 64, x.ql + 4 * (16 * h + 8 + word), 4);
                        std::memcpy(step + 128, x.qh + 4 * (8 * h + word), 4);
                    }
        }
}

// One q8_K activation super-block for the packed q6_K and q3_K kernels: its codes, -offset x the code
// sum of each 16-value sub-block (codes are stored + offset: q6_K 32, q3_K 4), and d.
struct Q8K16Lanes {
    int8_t qs[QK_K];
    int32_t bias[16];
    float d;
    float pad[15]; // whole cache lines
};
static_assert(sizeof(Q8K16Lanes) == 384);

template <int Offset>
void arrange_q8k16_lanes(const void* in, void* out, int64_t n) {
    const auto* y = static_cast<const BlockQ8_K*>(in);
    auto* o = static_cast<Q8K16Lanes*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        std::memcpy(o[b].qs, y[b].qs, QK_K);
        for (int p = 0; p < 16; ++p) o[b].bias[p] = -Offset * y[b].bsums[p];
        o[b].d = y[b].d;
        for (float& p : o[b].pad) p = 0.0f;
    }
}

// A super-block of sixteen packed q6_K rows, decoded: sub-block p (16 values), register k: codes
// 16p + 4k .. + 3 of each row; and d x the sub-block's scale.
struct K16Rows {
    __m512i q[16][4];
    __m512 scale[16];
};

// Value 128h + 32g + l has the low nibble (g / 2) of ql[64h + 32(g % 2) + l] and bits 2g of
// qh[32h + l]; sub-block p = 8h + 2g + l / 16.
inline void decode_packed_q6_K(const uint8_t* group, K16Rows& d) {
    const __m512 dd = _mm512_cvtph_ps(load256(group));
    for (int p = 0; p < 16; ++p)
        d.scale[p] = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(
                                       reinterpret_cast<const __m128i*>(group + kQ6Scales + 16 * p)))),
                                   dd);
    const __m512i low4 = _mm512_set1_epi8(0x0F), top2 = _mm512_set1_epi8(0x30);
    for (int h = 0; h < 2; ++h)
        for (int half = 0; half < 2; ++half)
            for (int k = 0; k < 4; ++k) {
                const uint8_t* step = group + kQ6Codes + 192 * q6_step(h, half, k);
                const __m512i low[2] = {_mm512_loadu_si512(step), _mm512_loadu_si512(step + 64)};
                const __m512i high = _mm512_loadu_si512(step + 128);
                for (int g = 0; g < 4; ++g) {
                    const __m512i lo = g < 2 ? low[g % 2] : _mm512_srli_epi32(low[g % 2], 4);
                    // Bits 2g, 2g + 1 of qh to bits 4, 5.
                    const __m512i hi = g < 2 ? _mm512_slli_epi32(high, 4 - 2 * g)
                                             : (g == 2 ? high : _mm512_srli_epi32(high, 2));
                    d.q[8 * h + 2 * g + half][k] =
                        _mm512_or_si512(_mm512_and_si512(lo, low4), _mm512_and_si512(hi, top2));
                }
            }
}

template <int MA>
void q6_K_packed_tile(int64_t n, const void* w, size_t, int nw, const void* a, size_t as, float* out,
                      size_t os) {
    const int64_t nb = n / QK_K;
    const auto* group = static_cast<const uint8_t*>(w);
    __m512 acc[MA];
    for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
    K16Rows decoded;
    for (int64_t b = 0; b < nb; ++b) {
        decode_packed_q6_K(group + static_cast<size_t>(b) * 16 * sizeof(BlockQ6_K), decoded);
        for (int p = 0; p < 16; ++p)
            for (int j = 0; j < MA; ++j) {
                const Q8K16Lanes& y = reinterpret_cast<const Q8K16Lanes*>(at(a, as, j))[b];
                __m512i dot = _mm512_set1_epi32(y.bias[p]);
                for (int k = 0; k < 4; ++k)
                    dot = _mm512_dpbusd_epi32(dot, decoded.q[p][k], broadcast_word(y.qs + 16 * p + 4 * k));
                acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot),
                                         _mm512_mul_ps(decoded.scale[p], _mm512_set1_ps(y.d)), acc[j]);
            }
    }
    const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
    for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
}

// One or two activation rows against packed q6_K rows, each code word used as it is loaded (see
// k32_packed_few): four sub-blocks (g = 0..3) come out of each step's three words.
template <int MA>
[[gnu::noinline]] void q6_K_packed_few(int64_t n, const void* w, int nw, const void* a, size_t as, float* out,
                                       size_t os) {
    const auto* group = static_cast<const uint8_t*>(w);
    const __m512i low4 = _mm512_set1_epi8(0x0F), top2 = _mm512_set1_epi8(0x30);
    __m512 acc[MA];
    for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const uint8_t* block = group + static_cast<size_t>(b) * 16 * sizeof(BlockQ6_K);
        const __m512 dd = _mm512_cvtph_ps(load256(block));
        const Q8K16Lanes* y[MA];
        for (int j = 0; j < MA; ++j) y[j] = reinterpret_cast<const Q8K16Lanes*>(at(a, as, j)) + b;
        for (int h = 0; h < 2; ++h)
            for (int half = 0; half < 2; ++half) {
                // Sub-block p = 8h + 2g + half for g = 0..3.
                __m512i dot[MA][4];
                for (int j = 0; j < MA; ++j)
                    for (int g = 0; g < 4; ++g)
                        dot[j][g] = _mm512_set1_epi32(y[j]->bias[8 * h + 2 * g + half]);
                for (int k = 0; k < 4; ++k) {
                    const uint8_t* step = block + kQ6Codes + 192 * q6_step(h, half, k);
                    const __m512i low[2] = {_mm512_loadu_si512(step), _mm512_loadu_si512(step + 64)};
                    const __m512i high = _mm512_loadu_si512(step + 128);
                    for (int g = 0; g < 4; ++g) {
                        const __m512i lo = g < 2 ? low[g % 2] : _mm512_srli_epi32(low[g % 2], 4);
                        const __m512i hi = g < 2 ? _mm512_slli_epi32(high, 4 - 2 * g)
                                                 : (g == 2 ? high : _mm512_srli_epi32(high, 2));
                        const __m512i q =
                            _mm512_or_si512(_mm512_and_si512(lo, low4), _mm512_and_si512(hi, top2));
                        const int p = 8 * h + 2 * g + half;
                        for (int j = 0; j < MA; ++j)
                            dot[j][g] =
                                _mm512_dpbusd_epi32(dot[j][g], q, broadcast_word(y[j]->qs + 16 * p + 4 * k));
                    }
                }
                for (int g = 0; g < 4; ++g) {
                    const int p = 8 * h + 2 * g + half;
                    const __m512 scale =
                        _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(
                                          reinterpret_cast<const __m128i*>(block + kQ6Scales + 16 * p)))),
                                      dd);
                    for (int j = 0; j < MA; ++j)
                        acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[j][g]),
                                                 _mm512_mul_ps(scale, _mm512_set1_ps(y[j]->d)), acc[j]);
                }
            }
    }
    const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
    for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
}

struct Q6KPacked {
    template <int MA>
    static void tile(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        if constexpr (MA <= 2)
            q6_K_packed_few<MA>(n, w, nw, a, as, out, os);
        else
            q6_K_packed_tile<MA>(n, w, ws, nw, a, as, out, os);
    }
};

// ---- q2_K, packed: sixteen weight rows across the lanes --------------------------------------------

// One q8_K activation super-block for the packed q2_K kernel: its codes, d, and the code sums of the
// 16-value sub-blocks as 16-bit pairs in the order the packed scale words pair their mins: word 2w
// holds sub-blocks 4w and 4w + 2, word 2w + 1 sub-blocks 4w + 1 and 4w + 3.
struct Q8K2Lanes {
    int8_t qs[QK_K];
    int16_t sum_pairs[16];
    float d;
    float pad[7]; // whole cache lines
};
static_assert(sizeof(Q8K2Lanes) == 320);

void arrange_q8k2_lanes(const void* in, void* out, int64_t n) {
    const auto* y = static_cast<const BlockQ8_K*>(in);
    auto* o = static_cast<Q8K2Lanes*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        std::memcpy(o[b].qs, y[b].qs, QK_K);
        for (int w = 0; w < 4; ++w) {
            o[b].sum_pairs[4 * w] = y[b].bsums[4 * w];
            o[b].sum_pairs[4 * w + 1] = y[b].bsums[4 * w + 2];
            o[b].sum_pairs[4 * w + 2] = y[b].bsums[4 * w + 1];
            o[b].sum_pairs[4 * w + 3] = y[b].bsums[4 * w + 3];
        }
        o[b].d = y[b].d;
        for (float& p : o[b].pad) p = 0.0f;
    }
}

// Sixteen q2_K rows packed word by word (repack_words) against MA activation rows. Sub-block p's sum
// is multiplied by its 4-bit scale with VPDPWSSD (the sum fits in 16 bits), and the mins by the
// activation's sub-block sums the same way two at a time, so a super-block ends in two conversions.
// Block words: 0..3 the scales (byte p: scale | min << 4), 4..19 qs, 20 d and dmin.
struct Q2KPacked {
    static constexpr int kMaxA = 8; // three accumulators per activation row stay in registers
    template <int MA>
    static void tile(int64_t n, const void* w, size_t, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        const auto* group = static_cast<const uint8_t*>(w);
        const __m512i nibbles = _mm512_set1_epi32(0x000F000F);
        __m512 acc[MA];
        for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
        for (int64_t b = 0; b < n / QK_K; ++b) {
            const uint8_t* block = group + static_cast<size_t>(b) * 16 * sizeof(BlockQ2_K);
            const auto word = [block](int i) { return _mm512_loadu_si512(block + 64 * i); };
            const Q8K2Lanes* y[MA];
            for (int j = 0; j < MA; ++j) y[j] = reinterpret_cast<const Q8K2Lanes*>(at(a, as, j)) + b;
            __m512i isum[MA], msum[MA];
            for (int j = 0; j < MA; ++j) isum[j] = msum[j] = _mm512_setzero_si512();
            for (int sw = 0; sw < 4; ++sw) {
                const __m512i scales = word(sw);
                const __m512i mins_a = _mm512_and_si512(_mm512_srli_epi32(scales, 4), nibbles);
                const __m512i mins_b = _mm512_and_si512(_mm512_srli_epi32(scales, 12), nibbles);
                for (int j = 0; j < MA; ++j) {
                    const auto* pairs = reinterpret_cast<const int8_t*>(y[j]->sum_pairs);
                    msum[j] = _mm512_dpwssd_epi32(msum[j], mins_a, broadcast_word(pairs + 8 * sw));
                    msum[j] = _mm512_dpwssd_epi32(msum[j], mins_b, broadcast_word(pairs + 8 * sw + 4));
                }
            }
            for (int h = 0; h < 2; ++h)
                for (int k = 0; k < 4; ++k)
                    for (int half = 0; half < 2; ++half) {
                        const int p = 8 * h + 2 * k + half;
                        // Codes masked where they stand, as 4^k times their value: one shift of the
                        // sum instead of one per code word.
                        const __m512i field = _mm512_set1_epi8(static_cast<char>(3 << (2 * k)));
                        __m512i codes[4];
                        for (int i = 0; i < 4; ++i)
                            codes[i] = _mm512_and_si512(word(4 + 8 * h + 4 * half + i), field);
                        const __m512i scale = _mm512_and_si512(_mm512_srli_epi32(word(p / 4), 8 * (p % 4)),
                                                               _mm512_set1_epi32(15));
                        for (int j = 0; j < MA; ++j) {
                            const int8_t* yq = y[j]->qs + 128 * h + 32 * k + 16 * half;
                            __m512i dot =
                                _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes[0], broadcast_word(yq));
                            for (int i = 1; i < 4; ++i)
                                dot = _mm512_dpbusd_epi32(dot, codes[i], broadcast_word(yq + 4 * i));
                            if (k > 0) dot = _mm512_srai_epi32(dot, 2 * k);
                            isum[j] = _mm512_dpwssd_epi32(isum[j], dot, scale);
                        }
                    }
            const __m512i dw = word(20);
            const __m512 dd = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dw));
            const __m512 dmin = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dw, 16)));
            for (int j = 0; j < MA; ++j) {
                const __m512 yd = _mm512_set1_ps(y[j]->d);
                acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[j]), _mm512_mul_ps(dd, yd), acc[j]);
                acc[j] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum[j]), _mm512_mul_ps(dmin, yd), acc[j]);
            }
        }
        const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
        for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
    }
};

// ---- q3_K, packed: sixteen weight rows across the lanes --------------------------------------------

// q3_K blocks (110 bytes) end in their f16 d: the packed group (repack_words with d as its head) holds
// the sixteen d first, then words 0..26 of the sixteen rows (hmask 0..7, qs 8..23, scales 24..26).
constexpr size_t kQ3Words = 16 * sizeof(uint16_t);
static_assert(kQ3Words + 27 * 64 == 16 * sizeof(BlockQ3_K));

// Sixteen packed q3_K rows against MA activation rows (codes + 4, the activations' bias taking the 4
// back out). Sub-block p = 8h + 2k + half: the low bits k of qs words 8h + 4 half + i, the high bit
// 4h + k of hmask words 4 half + i. Its sum (at most 8128 in size) times its scale - 32 by VPDPWSSD.
struct Q3KPacked {
    static constexpr int kMaxA = 8;
    template <int MA>
    static void tile(int64_t n, const void* w, size_t, int nw, const void* a, size_t as, float* out,
                     size_t os) {
        const auto* group = static_cast<const uint8_t*>(w);
        const __m512i two_bits = _mm512_set1_epi8(3), third_bit = _mm512_set1_epi8(4);
        __m512 acc[MA];
        for (int j = 0; j < MA; ++j) acc[j] = _mm512_setzero_ps();
        for (int64_t b = 0; b < n / QK_K; ++b) {
            const uint8_t* block = group + static_cast<size_t>(b) * 16 * sizeof(BlockQ3_K);
            const auto word = [block](int i) { return _mm512_loadu_si512(block + kQ3Words + 64 * i); };
            const Q8K16Lanes* y[MA];
            for (int j = 0; j < MA; ++j) y[j] = reinterpret_cast<const Q8K16Lanes*>(at(a, as, j)) + b;
            __m512i isum[MA];
            for (int j = 0; j < MA; ++j) isum[j] = _mm512_setzero_si512();
            // The sixteen 6-bit scales as bytes, four per register: scale i has its low nibble in byte
            // i % 8 of words 24..25 (the high nibble for i >= 8) and its top bits 2 (i / 4) of byte i % 4 of
            // word 26.
            __m512i scale_bytes[4];
            for (int q = 0; q < 4; ++q) {
                const __m512i nibble = q < 2 ? word(24 + q % 2) : _mm512_srli_epi32(word(24 + q % 2), 4);
                const __m512i top = _mm512_slli_epi32(
                    _mm512_and_si512(_mm512_srli_epi32(word(26), 2 * q), _mm512_set1_epi8(3)), 4);
                scale_bytes[q] = _mm512_ternarylogic_epi32(nibble, top, _mm512_set1_epi8(0x0F),
                                                           0xEC); // (nibble & 0x0F) | top
            }
            for (int h = 0; h < 2; ++h)
                for (int k = 0; k < 4; ++k)
                    for (int half = 0; half < 2; ++half) {
                        const int p = 8 * h + 2 * k + half;
                        const int bit = 4 * h + k; // of the hmask bytes, moved to bit 2
                        __m512i codes[4];
                        for (int i = 0; i < 4; ++i) {
                            const __m512i low = _mm512_and_si512(
                                _mm512_srli_epi32(word(8 + 8 * h + 4 * half + i), 2 * k), two_bits);
                            const __m512i hm = word(4 * half + i);
                            const __m512i high =
                                bit >= 2 ? _mm512_srli_epi32(hm, bit - 2) : _mm512_slli_epi32(hm, 2 - bit);
                            codes[i] =
                                _mm512_ternarylogic_epi32(low, high, third_bit, 0xF8); // low | (high & 4)
                        }
                        // Scale p - 32 in the low 16 bits only, so VPDPWSSD's high half stays 0.
                        const __m512i byte =
                            p % 4 == 3 ? _mm512_srli_epi32(scale_bytes[p / 4], 24)
                                       : _mm512_and_si512(_mm512_srli_epi32(scale_bytes[p / 4], 8 * (p % 4)),
                                                          _mm512_set1_epi32(0xFF));
                        const __m512i scale = _mm512_sub_epi16(byte, _mm512_set1_epi32(32));
                        for (int j = 0; j < MA; ++j) {
                            const int8_t* yq = y[j]->qs + 128 * h + 32 * k + 16 * half;
                            __m512i dot = _mm512_set1_epi32(y[j]->bias[p]);
                            for (int i = 0; i < 4; ++i)
                                dot = _mm512_dpbusd_epi32(dot, codes[i], broadcast_word(yq + 4 * i));
                            isum[j] = _mm512_dpwssd_epi32(isum[j], dot, scale);
                        }
                    }
            const __m512 dd = _mm512_cvtph_ps(load256(block));
            for (int j = 0; j < MA; ++j)
                acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[j]),
                                         _mm512_mul_ps(dd, _mm512_set1_ps(y[j]->d)), acc[j]);
        }
        const __mmask16 stored = static_cast<__mmask16>((1u << nw) - 1);
        for (int j = 0; j < MA; ++j) _mm512_mask_storeu_ps(out + static_cast<size_t>(j) * os, stored, acc[j]);
    }
};

// ---- tables ----------------------------------------------------------------------------------------

// Table entries of the kernels with sixteen weight rows across the lanes (up to sixteen activation
// rows): on row-major weights, and on weights packed by `repack`.
using QuantizeFn = void (*)(const float*, void*, int64_t);
using ArrangeFn = void (*)(const void*, void*, int64_t);

template <class Kernel, class Act, int64_t Values, int MaxA = 16>
DotKernel lanes_entry(BlockType type, QuantizeFn quantize, ArrangeFn arrange) {
    return DotKernel{type,
                     KernelIsa::Avx512,
                     &lanes_dot<Kernel>,
                     &lanes_dispatch<Kernel, MaxA>,
                     16,
                     MaxA,
                     quantize,
                     &blocks_row_bytes<Act, Values>,
                     arrange};
}

template <class Kernel, class Act, int64_t Values, int MaxA = 16>
DotKernel packed_entry(BlockType type, QuantizeFn quantize, ArrangeFn arrange,
                       void (*repack)(const void*, size_t, void*, int64_t)) {
    DotKernel k = lanes_entry<Kernel, Act, Values, MaxA>(type, quantize, arrange);
    k.vec_dot = nullptr; // a packed tile takes whole groups of rows
    k.repack = repack;
    return k;
}

} // namespace

const DotKernel* avx512_dot_kernel(BlockType type) {
    // Thirty-two registers: the 256-bit tiles of the less common formats can be 2 x 4 (floats) and
    // 4 x 4 (32-value formats).
    constexpr int LW = 4, LA = 4, FW = 2, FA = 4;
    constexpr int ZW = 4, ZA = 3; // k-quant one-token products: rows one after the other
    constexpr int BW = 2, BA = 8; // k-quant batches
    using Q2K = KOneToken<OneQ2_K>;
    using Q3K = KOneToken<OneQ3_K>;
    using Q4K = KOneToken<OneQ4_5K<BlockQ4_K, false>>;
    using Q5K = KOneToken<OneQ4_5K<BlockQ5_K, true>>;
    using Q6K = KOneToken<OneQ6_K>;
    using B2K = KBatch<BatchQ2_K>;
    using B3K = KBatch<BatchQ3_K>;
    using R4K = Rows4_5K<BlockQ4_K, false>;
    using R5K = Rows4_5K<BlockQ5_K, true>;
    using B6K = KBatch<BatchQ6_K>;
    static const DotKernel q4_0_batch = lanes_entry<LegacyLanes<Q4_0FileRows>, Q8Lanes, QK8_0>(
        BlockType::Q4_0, &quantize_q8_0, &arrange_q8_lanes<8>);
    static const DotKernel q4_0_packed =
        packed_entry<LegacyLanes<LegacyPackedRows<BlockQ4_0>>, Q8Lanes, QK8_0>(
            BlockType::Q4_0, &quantize_q8_0, &arrange_q8_lanes<8>, repack_legacy<BlockQ4_0>);
    static const DotKernel q4_1_packed =
        packed_entry<LegacyLanes<LegacyPackedRows<BlockQ4_1>>, BlockQ8_1, QK8_1>(
            BlockType::Q4_1, &quantize_q8_1_ymm, nullptr, repack_legacy<BlockQ4_1>);
    static const DotKernel q5_0_packed =
        packed_entry<LegacyLanes<LegacyPackedRows<BlockQ5_0>>, Q8Lanes, QK8_0>(
            BlockType::Q5_0, &quantize_q8_0, &arrange_q8_lanes<16>, repack_legacy<BlockQ5_0>);
    static const DotKernel q5_1_packed =
        packed_entry<LegacyLanes<LegacyPackedRows<BlockQ5_1>>, BlockQ8_1, QK8_1>(
            BlockType::Q5_1, &quantize_q8_1_ymm, nullptr, repack_legacy<BlockQ5_1>);
    static const DotKernel q8_0_packed =
        packed_entry<LegacyLanes<LegacyPackedRows<BlockQ8_0>>, Q8Lanes, QK8_0>(
            BlockType::Q8_0, &quantize_q8_0, &arrange_q8_lanes<128>, repack_legacy<BlockQ8_0>);
    static const DotKernel q4_k_packed = packed_entry<K32Packed<BlockQ4_K, false>, Q8KLanes, QK_K>(
        BlockType::Q4_K, &quantize_q8_K, &arrange_q8k_lanes, &repack_words<BlockQ4_K, QK_K>);
    static const DotKernel q5_k_packed = packed_entry<K32Packed<BlockQ5_K, true>, Q8KLanes, QK_K>(
        BlockType::Q5_K, &quantize_q8_K, &arrange_q8k_lanes, &repack_words<BlockQ5_K, QK_K>);
    static const DotKernel q2_k_packed = packed_entry<Q2KPacked, Q8K2Lanes, QK_K, Q2KPacked::kMaxA>(
        BlockType::Q2_K, &quantize_q8_K, &arrange_q8k2_lanes, &repack_words<BlockQ2_K, QK_K>);
    static const DotKernel q3_k_packed = packed_entry<Q3KPacked, Q8K16Lanes, QK_K, Q3KPacked::kMaxA>(
        BlockType::Q3_K, &quantize_q8_K, &arrange_q8k16_lanes<4>,
        &repack_words<BlockQ3_K, QK_K, offsetof(BlockQ3_K, d), 2>);
    static const DotKernel q6_k_packed = packed_entry<Q6KPacked, Q8K16Lanes, QK_K>(
        BlockType::Q6_K, &quantize_q8_K, &arrange_q8k16_lanes<32>, &repack_q6_K);
    static const DotKernel batches[] = {
        {BlockType::Q2_K, KernelIsa::Avx512, &vec_dot<B2K>, &dispatch<B2K, BW, BA>, BW, BA, &quantize_q8_K,
         &blocks_row_bytes<KBatchAct, QK_K>, &arrange_kbatch},
        {BlockType::Q3_K, KernelIsa::Avx512, &vec_dot<B3K>, &dispatch<B3K, BW, BA>, BW, BA, &quantize_q8_K,
         &blocks_row_bytes<KBatchAct, QK_K>, &arrange_kbatch},
        lanes_entry<K32Lanes<R4K, FileWords<BlockQ4_K>>, Q8KLanes, QK_K>(BlockType::Q4_K, &quantize_q8_K,
                                                                         &arrange_q8k_lanes),
        lanes_entry<K32Lanes<R5K, FileWords<BlockQ5_K>>, Q8KLanes, QK_K>(BlockType::Q5_K, &quantize_q8_K,
                                                                         &arrange_q8k_lanes),
        {BlockType::Q6_K, KernelIsa::Avx512, &vec_dot<B6K>, &dispatch<B6K, BW, BA>, BW, BA, &quantize_q8_K,
         &blocks_row_bytes<KBatchAct, QK_K>, &arrange_kbatch},
    };
    constexpr int LEGW = 4, LEGA = 4; // q4_0/q8_0: 16 accumulators, 4 x 3 weight registers
    using Q41 = RowByRowForOneToken<Legacy32<DecQ4_1, BlockQ8_1>>;
    using Q50 = RowByRowForOneToken<Legacy32<DecQ5_0, BlockQ8_0>>;
    using Q51 = RowByRowForOneToken<Legacy32<DecQ5_1, BlockQ8_1>>;
    using Q40 = RowByRowForOneToken<Legacy<Q4_0>>;
    using Q80 = RowByRowForOneToken<Legacy<Q8_0>>;
    using F32 = RowByRowForOneToken<Float<float>>;
    using F16 = RowByRowForOneToken<Float<uint16_t>>;
    static const DotKernel kernels[] = {
        {BlockType::F32, KernelIsa::Avx512, &vec_dot<F32>, &dispatch<F32, FW, FA>, FW, FA, nullptr},
        {BlockType::F16, KernelIsa::Avx512, &vec_dot<F16>, &dispatch<F16, FW, FA>, FW, FA,
         &quantize_f16_f16c},
        {BlockType::Q4_0, KernelIsa::Avx512, &vec_dot<Q40>, &dispatch<Q40, LEGW, LEGA>, LEGW, LEGA,
         &quantize_q8_0, nullptr, nullptr, &q4_0_batch, &q4_0_packed},
        {BlockType::Q4_1, KernelIsa::Avx512, &vec_dot<Q41>, &dispatch<Q41, LW, LA>, LW, LA,
         &quantize_q8_1_ymm, nullptr, nullptr, nullptr, &q4_1_packed},
        {BlockType::Q5_0, KernelIsa::Avx512, &vec_dot<Q50>, &dispatch<Q50, LW, LA>, LW, LA, &quantize_q8_0,
         nullptr, nullptr, nullptr, &q5_0_packed},
        {BlockType::Q5_1, KernelIsa::Avx512, &vec_dot<Q51>, &dispatch<Q51, LW, LA>, LW, LA,
         &quantize_q8_1_ymm, nullptr, nullptr, nullptr, &q5_1_packed},
        {BlockType::Q8_0, KernelIsa::Avx512, &vec_dot<Q80>, &dispatch<Q80, LEGW, LEGA>, LEGW, LEGA,
         &quantize_q8_0, nullptr, nullptr, nullptr, &q8_0_packed},
        {BlockType::Q2_K, KernelIsa::Avx512, &vec_dot<Q2K>, &dispatch<Q2K, ZW, ZA>, ZW, ZA, &quantize_q8_K,
         nullptr, nullptr, &batches[0], &q2_k_packed},
        {BlockType::Q3_K, KernelIsa::Avx512, &vec_dot<Q3K>, &dispatch<Q3K, ZW, ZA>, ZW, ZA, &quantize_q8_K,
         nullptr, nullptr, &batches[1], &q3_k_packed},
        {BlockType::Q4_K, KernelIsa::Avx512, &vec_dot<Q4K>, &dispatch<Q4K, ZW, ZA>, ZW, ZA, &quantize_q8_K,
         nullptr, &arrange_runs_4_5k, &batches[2], &q4_k_packed},
        {BlockType::Q5_K, KernelIsa::Avx512, &vec_dot<Q5K>, &dispatch<Q5K, ZW, ZA>, ZW, ZA, &quantize_q8_K,
         nullptr, &arrange_runs_4_5k, &batches[3], &q5_k_packed},
        {BlockType::Q6_K, KernelIsa::Avx512, &vec_dot<Q6K>, &dispatch<Q6K, ZW, ZA>, ZW, ZA, &quantize_q8_K,
         nullptr, nullptr, &batches[4], &q6_k_packed},
    };
    return find_dot_kernel(kernels, type);
}

void avx512_quantize_q8_0(const float* x, void* out, int64_t n) {
    quantize_q8_0(x, out, n);
}

void avx512_quantize_q8_1(const float* x, void* out, int64_t n) {
    quantize_q8_1_ymm(x, out, n);
}

} // namespace fireside

#else

namespace fireside {

const DotKernel* avx512_dot_kernel(BlockType) {
    return nullptr;
}
void avx512_quantize_q8_0(const float*, void*, int64_t) {}
void avx512_quantize_q8_1(const float*, void*, int64_t) {}

} // namespace fireside

#endif
