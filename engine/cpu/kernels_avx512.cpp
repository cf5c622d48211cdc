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

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) &&         \
    defined(__AVX512VNNI__) && defined(__F16C__)
// gcc 12's AVX-512 headers build casts and zero vectors from _mm512_undefined_*(), which its own
// uninitialized-use analysis then reports inside the headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

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

// ---- k-quants against q8_K -------------------------------------------------------------------------

inline void unpack_scales_mins(const uint8_t* p, uint8_t* sc, uint8_t* m) {
    for (int j = 0; j < 4; ++j) {
        sc[j] = p[j] & 63;
        m[j] = p[j + 4] & 63;
        sc[j + 4] = static_cast<uint8_t>((p[j + 8] & 0x0f) | ((p[j] >> 6) << 4));
        m[j + 4] = static_cast<uint8_t>((p[j + 8] >> 4) | ((p[j + 4] >> 6) << 4));
    }
}

inline __m512i pair_of_ints(int a, int b) {
    return _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(a), _mm512_set1_epi32(b));
}

struct Q4_K {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        const int64_t nb = n / QK_K;
        const __m512i zero = _mm512_setzero_si512(), m4 = _mm512_set1_epi8(0x0F);
        __m512 acc[MW][MA];
        float mins_acc[MW][MA];
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j) {
                acc[i][j] = _mm512_setzero_ps();
                mins_acc[i][j] = 0.0f;
            }
        for (int64_t b = 0; b < nb; ++b) {
            // Weight codes: chunk k (64 bytes of qs) holds sub-blocks 4k and 4k + 2 in its low nibbles
            // and 4k + 1 and 4k + 3 in its high nibbles, 32 values each.
            __m512i lo[MW][2], hi[MW][2], slo[MW][2], shi[MW][2];
            uint8_t mins[MW][8];
            float d[MW], dmin[MW];
            for (int i = 0; i < MW; ++i) {
                const BlockQ4_K* x = reinterpret_cast<const BlockQ4_K*>(at(w, ws, i)) + b;
                uint8_t sc[8];
                unpack_scales_mins(x->scales, sc, mins[i]);
                d[i] = half(x->d);
                dmin[i] = half(x->dmin);
                for (int k = 0; k < 2; ++k) {
                    const __m512i raw = _mm512_loadu_si512(x->qs + 64 * k);
                    lo[i][k] = _mm512_and_si512(raw, m4);
                    hi[i][k] = _mm512_and_si512(_mm512_srli_epi16(raw, 4), m4);
                    slo[i][k] = pair_of_ints(sc[4 * k], sc[4 * k + 2]);
                    shi[i][k] = pair_of_ints(sc[4 * k + 1], sc[4 * k + 3]);
                }
            }
            for (int j = 0; j < MA; ++j) {
                const BlockQ8_K* y = reinterpret_cast<const BlockQ8_K*>(at(a, as, j)) + b;
                __m512i ylo[2], yhi[2];
                for (int k = 0; k < 2; ++k) {
                    ylo[k] = load_pair(y->qs + 128 * k, y->qs + 128 * k + 64);
                    yhi[k] = load_pair(y->qs + 128 * k + 32, y->qs + 128 * k + 96);
                }
                int sums[8];
                for (int s = 0; s < 8; ++s) sums[s] = y->bsums[2 * s] + y->bsums[2 * s + 1];
                for (int i = 0; i < MW; ++i) {
                    __m512i isum = zero;
                    for (int k = 0; k < 2; ++k) {
                        isum = _mm512_add_epi32(
                            isum, _mm512_mullo_epi32(_mm512_dpbusd_epi32(zero, lo[i][k], ylo[k]), slo[i][k]));
                        isum = _mm512_add_epi32(
                            isum, _mm512_mullo_epi32(_mm512_dpbusd_epi32(zero, hi[i][k], yhi[k]), shi[i][k]));
                    }
                    acc[i][j] =
                        _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(d[i] * y->d), acc[i][j]);
                    int msum = 0;
                    for (int s = 0; s < 8; ++s) msum += mins[i][s] * sums[s];
                    mins_acc[i][j] += dmin[i] * y->d * static_cast<float>(msum);
                }
            }
        }
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j)
                out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] =
                    _mm512_reduce_add_ps(acc[i][j]) - mins_acc[i][j];
    }
};

struct Q6_K {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        const int64_t nb = n / QK_K;
        const __m512i zero = _mm512_setzero_si512(), m4 = _mm512_set1_epi8(0x0F), m2 = _mm512_set1_epi8(0x03);
        const __m128i spread = _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        // Shift counts taking the 2-bit fields of qh for quarter g = 2p (lower half) and 2p + 1 (upper).
        const __m512i shift[2] = {
            _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(0), _mm512_set1_epi16(2)),
            _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(4), _mm512_set1_epi16(6))};
        __m512 acc[MW][MA];
        float offset_acc[MW][MA];
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j) {
                acc[i][j] = _mm512_setzero_ps();
                offset_acc[i][j] = 0.0f;
            }
        for (int64_t b = 0; b < nb; ++b) {
            // Part 2h + p covers values 128h + 64p .. + 63, i.e. sub-blocks 8h + 4p .. 8h + 4p + 3.
            __m512i q[MW][4], sc[MW][4];
            float d[MW];
            const int8_t* scales[MW];
            for (int i = 0; i < MW; ++i) {
                const BlockQ6_K* x = reinterpret_cast<const BlockQ6_K*>(at(w, ws, i)) + b;
                d[i] = half(x->d);
                scales[i] = x->scales;
                for (int h = 0; h < 2; ++h) {
                    const __m512i low = _mm512_loadu_si512(x->ql + 64 * h);
                    const __m512i high = _mm512_broadcast_i64x4(
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x->qh + 32 * h)));
                    for (int p = 0; p < 2; ++p) {
                        const __m512i nib = p == 0 ? _mm512_and_si512(low, m4)
                                                   : _mm512_and_si512(_mm512_srli_epi16(low, 4), m4);
                        const __m512i top = _mm512_and_si512(_mm512_srlv_epi16(high, shift[p]), m2);
                        q[i][2 * h + p] = _mm512_or_si512(nib, _mm512_slli_epi16(top, 4));
                        int32_t four = 0;
                        __builtin_memcpy(&four, x->scales + 8 * h + 4 * p, 4);
                        sc[i][2 * h + p] =
                            _mm512_cvtepi8_epi32(_mm_shuffle_epi8(_mm_cvtsi32_si128(four), spread));
                    }
                }
            }
            for (int j = 0; j < MA; ++j) {
                const BlockQ8_K* y = reinterpret_cast<const BlockQ8_K*>(at(a, as, j)) + b;
                __m512i yv[4];
                for (int part = 0; part < 4; ++part) yv[part] = _mm512_loadu_si512(y->qs + 64 * part);
                for (int i = 0; i < MW; ++i) {
                    __m512i isum = zero;
                    for (int part = 0; part < 4; ++part)
                        isum = _mm512_add_epi32(
                            isum,
                            _mm512_mullo_epi32(_mm512_dpbusd_epi32(zero, q[i][part], yv[part]), sc[i][part]));
                    acc[i][j] =
                        _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(d[i] * y->d), acc[i][j]);
                    // Codes are stored + 32: take 32 * scale * (sum of the sub-block's activations) back out.
                    int offset = 0;
                    for (int s = 0; s < 16; ++s) offset += scales[i][s] * y->bsums[s];
                    offset_acc[i][j] += d[i] * y->d * static_cast<float>(32 * offset);
                }
            }
        }
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j)
                out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] =
                    _mm512_reduce_add_ps(acc[i][j]) - offset_acc[i][j];
    }
};

// ---- k-quants on 512-bit registers ----------------------------------------------------------------

// Each weight super-block is decoded once (the shared decoders) and its four 64-value runs are then
// multiplied against every activation row of the tile: VPMADDUBSW + VPMADDWD, which applies the
// sub-block scales in the 16-bit multiply, so the only per-pair work outside the integer units is
// one conversion and two FMAs per super-block.
template <class D>
struct KQuant512 {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        using Block = typename D::Block;
        const int64_t nb = n / QK_K;
        __m512i group_of_lane[4]; // 16-bit lane l of run c holds the scale of group 4c + l / 8
        for (int c = 0; c < 4; ++c)
            group_of_lane[c] = _mm512_add_epi16(
                _mm512_set1_epi16(static_cast<short>(4 * c)),
                _mm512_srli_epi16(_mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                                   16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                  3));
        __m512 acc[MW][MA];
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j) acc[i][j] = _mm512_setzero_ps();
        SuperBlock sb[MW];
        for (int64_t b = 0; b < nb; ++b) {
            __m512i scales[MW];
            for (int i = 0; i < MW; ++i) {
                D::decode(reinterpret_cast<const Block*>(at(w, ws, i))[b], sb[i]);
                scales[i] = _mm512_castsi256_si512(load256(sb[i].sc));
            }
            const BlockQ8_K* y[MA];
            for (int j = 0; j < MA; ++j) y[j] = reinterpret_cast<const BlockQ8_K*>(at(a, as, j)) + b;
            __m512i isum[MW][MA];
            for (int i = 0; i < MW; ++i)
                for (int j = 0; j < MA; ++j) isum[i][j] = _mm512_setzero_si512();
            for (int c = 0; c < 4; ++c) {
                __m512i yv[MA];
                for (int j = 0; j < MA; ++j) yv[j] = _mm512_loadu_si512(y[j]->qs + 64 * c);
                for (int i = 0; i < MW; ++i) {
                    const __m512i qv = _mm512_loadu_si512(sb[i].q + 64 * c);
                    const __m512i sc = _mm512_permutexvar_epi16(group_of_lane[c], scales[i]);
                    for (int j = 0; j < MA; ++j)
                        isum[i][j] = _mm512_add_epi32(isum[i][j],
                                                      _mm512_madd_epi16(_mm512_maddubs_epi16(qv, yv[j]), sc));
                }
            }
            for (int j = 0; j < MA; ++j) {
                const __m256i bsums = load256(y[j]->bsums);
                for (int i = 0; i < MW; ++i) {
                    const __m256i off = _mm256_madd_epi16(load256(sb[i].off), bsums);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[i][j]),
                                                _mm512_set1_ps(sb[i].d * y[j]->d), acc[i][j]);
                    acc[i][j] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(_mm512_zextsi256_si512(off)),
                                                 _mm512_set1_ps(sb[i].dmin * y[j]->d), acc[i][j]);
                }
            }
        }
        for (int i = 0; i < MW; ++i)
            for (int j = 0; j < MA; ++j)
                out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = _mm512_reduce_add_ps(acc[i][j]);
    }
};

// One-token products (generation) read each weight block once: the specialised kernels above unpack
// it straight into registers; batches amortise the super-block decoding over 16 activation rows.
template <class Small, class Large>
struct ByBatch {
    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        if constexpr (MA < 4)
            Small::template tile<MW, MA>(n, w, ws, a, as, out, os);
        else
            Large::template tile<MW, MA>(n, w, ws, a, as, out, os);
    }
};

// ---- tables ----------------------------------------------------------------------------------------

} // namespace

const DotKernel* avx512_dot_kernel(BlockType type) {
    // Thirty-two registers: the 256-bit tiles of the less common formats can be 2 x 4 (floats) and
    // 4 x 4 (32-value formats).
    constexpr int LW = 4, LA = 4, FW = 2, FA = 4;
    constexpr int ZA = 16; // k-quant batches: 1 x 16 tiles (32 accumulators) were fastest here
    using Q4K = ByBatch<Q4_K, KQuant512<DecQ4_K>>;
    using Q6K = ByBatch<Q6_K, KQuant512<DecQ6_K>>;
    using Q2K = ByBatch<KQuant<DecQ2_K>, KQuant512<DecQ2_K>>;
    using Q3K = ByBatch<KQuant<DecQ3_K>, KQuant512<DecQ3_K>>;
    using Q5K = ByBatch<KQuant<DecQ5_K>, KQuant512<DecQ5_K>>;
    constexpr int LEGW = 4, LEGA = 4; // q4_0/q8_0: 16 accumulators, 4 x 3 weight registers
    using Q41 = Legacy32<DecQ4_1, BlockQ8_1>;
    using Q50 = Legacy32<DecQ5_0, BlockQ8_0>;
    using Q51 = Legacy32<DecQ5_1, BlockQ8_1>;
    static const DotKernel kernels[] = {
        {BlockType::F32, KernelIsa::Avx512, &vec_dot<Float<float>>, &dispatch<Float<float>, FW, FA>, FW, FA,
         nullptr},
        {BlockType::F16, KernelIsa::Avx512, &vec_dot<Float<uint16_t>>, &dispatch<Float<uint16_t>, FW, FA>, FW,
         FA, &quantize_f16_f16c},
        {BlockType::Q4_0, KernelIsa::Avx512, &vec_dot<Legacy<Q4_0>>, &dispatch<Legacy<Q4_0>, LEGW, LEGA>,
         LEGW, LEGA, &quantize_q8_0},
        {BlockType::Q4_1, KernelIsa::Avx512, &vec_dot<Q41>, &dispatch<Q41, LW, LA>, LW, LA,
         &quantize_q8_1_ymm},
        {BlockType::Q5_0, KernelIsa::Avx512, &vec_dot<Q50>, &dispatch<Q50, LW, LA>, LW, LA, &quantize_q8_0},
        {BlockType::Q5_1, KernelIsa::Avx512, &vec_dot<Q51>, &dispatch<Q51, LW, LA>, LW, LA,
         &quantize_q8_1_ymm},
        {BlockType::Q8_0, KernelIsa::Avx512, &vec_dot<Legacy<Q8_0>>, &dispatch<Legacy<Q8_0>, LEGW, LEGA>,
         LEGW, LEGA, &quantize_q8_0},
        {BlockType::Q2_K, KernelIsa::Avx512, &vec_dot<Q2K>, &dispatch<Q2K, 1, ZA>, 1, ZA, nullptr},
        {BlockType::Q3_K, KernelIsa::Avx512, &vec_dot<Q3K>, &dispatch<Q3K, 1, ZA>, 1, ZA, nullptr},
        {BlockType::Q4_K, KernelIsa::Avx512, &vec_dot<Q4K>, &dispatch<Q4K, 1, ZA>, 1, ZA, nullptr},
        {BlockType::Q5_K, KernelIsa::Avx512, &vec_dot<Q5K>, &dispatch<Q5K, 1, ZA>, 1, ZA, nullptr},
        {BlockType::Q6_K, KernelIsa::Avx512, &vec_dot<Q6K>, &dispatch<Q6K, 1, ZA>, 1, ZA, nullptr},
    };
    for (const DotKernel& k : kernels)
        if (k.type == type) return &k;
    return nullptr;
}

void avx512_quantize_q8_0(const float* x, void* out, int64_t n) {
    quantize_q8_0(x, out, n);
}

} // namespace fireside

#else

namespace fireside {

const DotKernel* avx512_dot_kernel(BlockType) {
    return nullptr;
}
void avx512_quantize_q8_0(const float*, void*, int64_t) {}

} // namespace fireside

#endif
