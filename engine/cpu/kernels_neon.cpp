// arm64 NEON kernels with the dot-product extension (SDOT). This file is compiled with
// -march=armv8.2-a+dotprod, so it must not define or instantiate inline functions that other files share
// (no standard library templates, no engine headers with inline code): the linker could keep this file's
// copy for everyone. Its functions are only called after cpu_features() confirmed dotprod.
//
// Weights become signed bytes (codes minus their bias where that fits, or plain unsigned codes below 64
// for the formats with a min), so one SDOT multiplies 16 codes by 16 activation bytes. Quantized tiles
// take up to 4 weight x 4 activation rows: lane j of a weight row's float accumulator belongs to
// activation j, so the 32-bit sums of the four activations are folded into one vector with two pairwise
// adds and scaled in one multiply-add per block.
#include "engine/cpu/dot_kernels.h"
#include "engine/quant/blocks.h"

#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#include <arm_neon.h>

namespace fireside {
namespace {

constexpr int kQuantTileW = 4, kQuantTileA = 4;
constexpr int kFloatTileW = 4, kFloatTileA = 4;

inline float half(uint16_t h) {
    return static_cast<float>(__builtin_bit_cast(__fp16, h));
}

inline const std::byte* at(const void* base, size_t stride, int i) {
    return static_cast<const std::byte*>(base) + stride * static_cast<size_t>(i);
}

inline int32x4_t dot16(int8x16_t a, int8x16_t b) {
    return vdotq_s32(vdupq_n_s32(0), a, b);
}

// Lane j: the sum of the four lanes of s[j], for j < N (0 above).
template <int N>
inline int32x4_t fold(const int32x4_t* s) {
    const int32x4_t z = vdupq_n_s32(0);
    int32x4_t lo, hi = z;
    if constexpr (N == 1)
        lo = vpaddq_s32(s[0], z);
    else
        lo = vpaddq_s32(s[0], s[1]);
    if constexpr (N == 3) hi = vpaddq_s32(s[2], z);
    if constexpr (N == 4) hi = vpaddq_s32(s[2], s[3]);
    return vpaddq_s32(lo, hi);
}

template <int N>
inline void store_lanes(float32x4_t v, float* out, size_t os, int i) {
    float lanes[4];
    vst1q_f32(lanes, v);
    for (int j = 0; j < N; ++j) out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = lanes[j];
}

// ---- activations -----------------------------------------------------------------------------------

// The largest |x| of n (a multiple of 4) values, NaN ignored and 0 for all-NaN as the scalar
// std::fmax(0, ...) loop gives.
inline float max_abs(const float* x, int n) {
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int k = 0; k < n; k += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + k)));
    return vmaxnmvq_f32(m);
}

// 16 values times `inverse`, rounded half away from zero (std::round), saturated to -127..127.
inline int8x16_t codes16_away(const float* x, float inverse) {
    int32x4_t q[4];
    for (int k = 0; k < 4; ++k) q[k] = vcvtaq_s32_f32(vmulq_n_f32(vld1q_f32(x + 4 * k), inverse));
    const int16x8_t lo = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]));
    return vmaxq_s8(vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)), vdupq_n_s8(-127));
}

// The f16 bits of a q8_0 scale as the scalar quantizer stores it: clamped to the largest half, NaN as 0,
// rounded to nearest even by the conversion instruction.
inline uint16_t scale_bits(float d) {
    if (!(d == d)) d = 0.0f;
    d = d > 65504.0f ? 65504.0f : d < -65504.0f ? -65504.0f : d;
    return __builtin_bit_cast(uint16_t, static_cast<__fp16>(d));
}

void quantize_q8_0_neon(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (int64_t b = 0; b < n / QK8_0; ++b, x += QK8_0) {
        float amax = max_abs(x, QK8_0);
        amax = amax < 1e30f ? amax : 1e30f;
        const float d = amax / 127.0f;
        const float inverse = d > 0.0f ? 1.0f / d : 0.0f;
        y[b].d = scale_bits(d);
        vst1q_s8(y[b].qs, codes16_away(x, inverse));
        vst1q_s8(y[b].qs + 16, codes16_away(x + 16, inverse));
    }
}

void quantize_q8_1_neon(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(out);
    for (int64_t b = 0; b < n / QK8_1; ++b, x += QK8_1) {
        float amax = max_abs(x, QK8_1);
        amax = amax < 1e30f ? amax : 1e30f;
        const float d = amax / 127.0f;
        const float inverse = d > 0.0f ? 1.0f / d : 0.0f;
        const int8x16_t lo = codes16_away(x, inverse), hi = codes16_away(x + 16, inverse);
        vst1q_s8(y[b].qs, lo);
        vst1q_s8(y[b].qs + 16, hi);
        y[b].d = d;
        y[b].s = static_cast<float>(vaddlvq_s8(lo) + vaddlvq_s8(hi)) * d;
    }
}

// q8_K: the value of largest magnitude (the first one, as the scalar loop keeps) maps to -128; codes
// round half to even and saturate to -128..127, as round_clamp does.
void quantize_q8_K_neon(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (int64_t b = 0; b < n / QK_K; ++b, x += QK_K) {
        BlockQ8_K& blk = y[b];
        const float amax = max_abs(x, QK_K);
        if (!(amax > 0.0f)) {
            blk.d = 0.0f;
            for (int k = 0; k < QK_K; k += 16) vst1q_s8(blk.qs + k, vdupq_n_s8(0));
            for (int g = 0; g < QK_K / 16; ++g) blk.bsums[g] = 0;
            continue;
        }
        float extreme = 0.0f;
        for (int j = 0; j < QK_K; ++j)
            if (__builtin_fabsf(x[j]) == amax) {
                extreme = x[j];
                break;
            }
        extreme = extreme > 1e30f ? 1e30f : extreme < -1e30f ? -1e30f : extreme;
        const float inverse = -128.0f / extreme;
        for (int g = 0; g < QK_K / 16; ++g) {
            int32x4_t q[4];
            for (int k = 0; k < 4; ++k)
                q[k] = vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + 16 * g + 4 * k), inverse));
            const int16x8_t lo = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
            const int16x8_t hi = vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]));
            const int8x16_t c = vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
            vst1q_s8(blk.qs + 16 * g, c);
            blk.bsums[g] = vaddlvq_s8(c);
        }
        blk.d = 1.0f / inverse;
    }
}

void quantize_f16_neon(const float* x, void* out, int64_t n) {
    auto* y = static_cast<uint16_t*>(out);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(y + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
    for (; i < n; ++i) y[i] = __builtin_bit_cast(uint16_t, static_cast<__fp16>(x[i]));
}

// ---- 32-value formats ------------------------------------------------------------------------------

// Byte j (of 16) is 0x10 where bit j of the two bytes at p is set: the fifth bits of q5_0/q5_1.
inline uint8x16_t fifth_bits16(const uint8_t* p) {
    const uint8x16_t bytes = vcombine_u8(vdup_n_u8(p[0]), vdup_n_u8(p[1]));
    const uint8x16_t bit = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    return vandq_u8(vtstq_u8(bytes, bit), vdupq_n_u8(0x10));
}

// Decoders: the 32 codes of a block as signed bytes (values 0..15 in lo, 16..31 in hi), its scale and
// its min (formats with a min pair with q8_1, whose block sum carries the min term).
struct DecQ4_0 {
    using Block = BlockQ4_0;
    using Act = BlockQ8_0;
    static constexpr bool kMin = false;
    static void codes(const Block& x, int8x16_t& lo, int8x16_t& hi) {
        const uint8x16_t v = vld1q_u8(x.qs);
        const int8x16_t eight = vdupq_n_s8(8);
        lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0f))), eight);
        hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), eight);
    }
    static float min(const Block&) { return 0.0f; }
};
struct DecQ4_1 {
    using Block = BlockQ4_1;
    using Act = BlockQ8_1;
    static constexpr bool kMin = true;
    static void codes(const Block& x, int8x16_t& lo, int8x16_t& hi) {
        const uint8x16_t v = vld1q_u8(x.qs);
        lo = vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0f)));
        hi = vreinterpretq_s8_u8(vshrq_n_u8(v, 4));
    }
    static float min(const Block& x) { return half(x.m); }
};
struct DecQ5_0 {
    using Block = BlockQ5_0;
    using Act = BlockQ8_0;
    static constexpr bool kMin = false;
    static void codes(const Block& x, int8x16_t& lo, int8x16_t& hi) {
        const uint8x16_t v = vld1q_u8(x.qs);
        const int8x16_t sixteen = vdupq_n_s8(16);
        lo = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(v, vdupq_n_u8(0x0f)), fifth_bits16(x.qh))),
                      sixteen);
        hi = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(v, 4), fifth_bits16(x.qh + 2))), sixteen);
    }
    static float min(const Block&) { return 0.0f; }
};
struct DecQ5_1 {
    using Block = BlockQ5_1;
    using Act = BlockQ8_1;
    static constexpr bool kMin = true;
    static void codes(const Block& x, int8x16_t& lo, int8x16_t& hi) {
        const uint8x16_t v = vld1q_u8(x.qs);
        lo = vreinterpretq_s8_u8(vorrq_u8(vandq_u8(v, vdupq_n_u8(0x0f)), fifth_bits16(x.qh)));
        hi = vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(v, 4), fifth_bits16(x.qh + 2)));
    }
    static float min(const Block& x) { return half(x.m); }
};
struct DecQ8_0 {
    using Block = BlockQ8_0;
    using Act = BlockQ8_0;
    static constexpr bool kMin = false;
    static void codes(const Block& x, int8x16_t& lo, int8x16_t& hi) {
        lo = vld1q_s8(x.qs);
        hi = vld1q_s8(x.qs + 16);
    }
    static float min(const Block&) { return 0.0f; }
};

inline float act_scale(const BlockQ8_0& y) {
    return half(y.d);
}
inline float act_scale(const BlockQ8_1& y) {
    return y.d;
}
inline float act_sum(const BlockQ8_0&) {
    return 0.0f;
}
inline float act_sum(const BlockQ8_1& y) {
    return y.s;
}

template <class D>
struct Legacy32 {
    using Block = typename D::Block;
    using Act = typename D::Act;

    // One weight row against one activation row (generation): per-lane partial sums, two blocks per
    // step into two accumulators so consecutive multiply-adds do not wait on each other.
    static float row(int64_t n, const Block* x, const Act* y) {
        const int64_t nb = n / 32;
        float32x4_t acc[2] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
        float mins = 0.0f;
        int64_t b = 0;
        const auto step = [&](int64_t k, float32x4_t& a) {
            int8x16_t lo, hi;
            D::codes(x[k], lo, hi);
            const int32x4_t s = vdotq_s32(dot16(lo, vld1q_s8(y[k].qs)), hi, vld1q_s8(y[k].qs + 16));
            a = vfmaq_n_f32(a, vcvtq_f32_s32(s), half(x[k].d) * act_scale(y[k]));
            if constexpr (D::kMin) mins += D::min(x[k]) * act_sum(y[k]);
        };
        for (; b + 2 <= nb; b += 2) {
            step(b, acc[0]);
            step(b + 1, acc[1]);
        }
        if (b < nb) step(b, acc[0]);
        return vaddvq_f32(vaddq_f32(acc[0], acc[1])) + mins;
    }

    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        static_assert(MA <= 4, "one float lane per activation row");
        if constexpr (MW == 1 && MA == 1) {
            out[0] = row(n, static_cast<const Block*>(w), static_cast<const Act*>(a));
            return;
        } else {
            const int64_t nb = n / 32;
            float32x4_t acc[MW];
            for (int i = 0; i < MW; ++i) acc[i] = vdupq_n_f32(0.0f);
            for (int64_t b = 0; b < nb; ++b) {
                int8x16_t qlo[MW], qhi[MW];
                float dw[MW], mw[MW];
                for (int i = 0; i < MW; ++i) {
                    const Block& x = reinterpret_cast<const Block*>(at(w, ws, i))[b];
                    D::codes(x, qlo[i], qhi[i]);
                    dw[i] = half(x.d);
                    mw[i] = D::min(x);
                }
                int8x16_t ylo[MA], yhi[MA];
                float dy[4] = {0.0f, 0.0f, 0.0f, 0.0f}, sy[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (int j = 0; j < MA; ++j) {
                    const Act& y = reinterpret_cast<const Act*>(at(a, as, j))[b];
                    ylo[j] = vld1q_s8(y.qs);
                    yhi[j] = vld1q_s8(y.qs + 16);
                    dy[j] = act_scale(y);
                    sy[j] = act_sum(y);
                }
                const float32x4_t dyv = vld1q_f32(dy), syv = vld1q_f32(sy);
                for (int i = 0; i < MW; ++i) {
                    int32x4_t s[MA];
                    for (int j = 0; j < MA; ++j) s[j] = vdotq_s32(dot16(qlo[i], ylo[j]), qhi[i], yhi[j]);
                    acc[i] = vfmaq_f32(acc[i], vcvtq_f32_s32(fold<MA>(s)), vmulq_n_f32(dyv, dw[i]));
                    if constexpr (D::kMin) acc[i] = vfmaq_n_f32(acc[i], syv, mw[i]);
                }
            }
            for (int i = 0; i < MW; ++i) store_lanes<MA>(acc[i], out, os, i);
        }
    }
};

// ---- k-quants --------------------------------------------------------------------------------------

// One super-block decoded: 16 runs of 16 codes as signed bytes, a scale per run (or per pair of runs
// where kPairs), and for formats with mins the min of each run, taken back out with q8_K's bsums:
// value = d * sc * code - dmin * mn.
struct SuperBlock {
    int8x16_t q[16];
    int32_t sc[16];
    int16_t mn[16];
    float d, dmin;
};

struct DecQ2_K {
    using Block = BlockQ2_K;
    static constexpr bool kMins = true, kPairs = false;
    static void decode(const Block& x, SuperBlock& s) {
        const uint8x16_t m3 = vdupq_n_u8(3);
        for (int h = 0; h < 2; ++h)
            for (int half16 = 0; half16 < 2; ++half16) {
                const uint8x16_t v = vld1q_u8(x.qs + 32 * h + 16 * half16);
                uint8x16_t r = v;
                for (int k = 0; k < 4; ++k, r = vshrq_n_u8(r, 2))
                    s.q[8 * h + 2 * k + half16] = vreinterpretq_s8_u8(vandq_u8(r, m3));
            }
        for (int g = 0; g < 16; ++g) {
            s.sc[g] = x.scales[g] & 0x0f;
            s.mn[g] = static_cast<int16_t>(x.scales[g] >> 4);
        }
        s.d = half(x.d);
        s.dmin = half(x.dmin);
    }
};

// Codes minus 4 (-4..3): no min term.
struct DecQ3_K {
    using Block = BlockQ3_K;
    static constexpr bool kMins = false, kPairs = false;
    static void decode(const Block& x, SuperBlock& s) {
        const uint8x16_t m3 = vdupq_n_u8(3), four = vdupq_n_u8(4);
        for (int half16 = 0; half16 < 2; ++half16) {
            const uint8x16_t hm = vld1q_u8(x.hmask + 16 * half16);
            for (int h = 0; h < 2; ++h) {
                uint8x16_t r = vld1q_u8(x.qs + 32 * h + 16 * half16);
                for (int k = 0; k < 4; ++k, r = vshrq_n_u8(r, 2)) {
                    // The third bit adds 4, so the biased code is low - 4 where that bit is clear.
                    const uint8x16_t clear =
                        vceqzq_u8(vandq_u8(hm, vdupq_n_u8(static_cast<uint8_t>(1 << (4 * h + k)))));
                    s.q[8 * h + 2 * k + half16] = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(r, m3)),
                                                           vreinterpretq_s8_u8(vandq_u8(clear, four)));
                }
            }
        }
        for (int i = 0; i < 16; ++i) {
            const int low = i < 8 ? (x.scales[i] & 0x0f) : (x.scales[i - 8] >> 4);
            const int high = (x.scales[8 + i % 4] >> (2 * (i / 4))) & 3;
            s.sc[i] = (low | (high << 4)) - 32;
        }
        s.d = s.dmin = half(x.d);
    }
};

// The 6-bit scales and mins of q4_K/q5_K (one per 32 values); mins spread over both runs of 16.
inline void k4_scales(const uint8_t* p, SuperBlock& s) {
    for (int j = 0; j < 4; ++j) {
        s.sc[j] = p[j] & 63;
        s.sc[j + 4] = (p[j + 8] & 0x0f) | ((p[j] >> 6) << 4);
        const int m_lo = p[j + 4] & 63, m_hi = (p[j + 8] >> 4) | ((p[j + 4] >> 6) << 4);
        s.mn[2 * j] = s.mn[2 * j + 1] = static_cast<int16_t>(m_lo);
        s.mn[2 * j + 8] = s.mn[2 * j + 9] = static_cast<int16_t>(m_hi);
    }
}

struct DecQ4_K {
    using Block = BlockQ4_K;
    static constexpr bool kMins = true, kPairs = true;
    static void decode(const Block& x, SuperBlock& s) {
        const uint8x16_t m4 = vdupq_n_u8(0x0f);
        for (int c = 0; c < 4; ++c)
            for (int half16 = 0; half16 < 2; ++half16) {
                const uint8x16_t v = vld1q_u8(x.qs + 32 * c + 16 * half16);
                s.q[4 * c + half16] = vreinterpretq_s8_u8(vandq_u8(v, m4));
                s.q[4 * c + 2 + half16] = vreinterpretq_s8_u8(vshrq_n_u8(v, 4));
            }
        k4_scales(x.scales, s);
        s.d = half(x.d);
        s.dmin = half(x.dmin);
    }
};

struct DecQ5_K {
    using Block = BlockQ5_K;
    static constexpr bool kMins = true, kPairs = true;
    static void decode(const Block& x, SuperBlock& s) {
        const uint8x16_t m4 = vdupq_n_u8(0x0f), sixteen = vdupq_n_u8(0x10);
        for (int half16 = 0; half16 < 2; ++half16) {
            const uint8x16_t qh = vld1q_u8(x.qh + 16 * half16);
            for (int c = 0; c < 4; ++c) {
                const uint8x16_t v = vld1q_u8(x.qs + 32 * c + 16 * half16);
                const uint8x16_t h0 =
                    vandq_u8(vtstq_u8(qh, vdupq_n_u8(static_cast<uint8_t>(1 << (2 * c)))), sixteen);
                const uint8x16_t h1 =
                    vandq_u8(vtstq_u8(qh, vdupq_n_u8(static_cast<uint8_t>(2 << (2 * c)))), sixteen);
                s.q[4 * c + half16] = vreinterpretq_s8_u8(vorrq_u8(vandq_u8(v, m4), h0));
                s.q[4 * c + 2 + half16] = vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(v, 4), h1));
            }
        }
        k4_scales(x.scales, s);
        s.d = half(x.d);
        s.dmin = half(x.dmin);
    }
};

// Codes minus 32 (-32..31): no min term.
struct DecQ6_K {
    using Block = BlockQ6_K;
    static constexpr bool kMins = false, kPairs = false;
    static void decode(const Block& x, SuperBlock& s) {
        const uint8x16_t m4 = vdupq_n_u8(0x0f), m3 = vdupq_n_u8(3);
        const int8x16_t bias = vdupq_n_s8(32);
        for (int h = 0; h < 2; ++h)
            for (int half16 = 0; half16 < 2; ++half16) {
                const uint8x16_t hi = vld1q_u8(x.qh + 32 * h + 16 * half16);
                const uint8x16_t l0 = vld1q_u8(x.ql + 64 * h + 16 * half16);
                const uint8x16_t l1 = vld1q_u8(x.ql + 64 * h + 32 + 16 * half16);
                const uint8x16_t low[4] = {vandq_u8(l0, m4), vandq_u8(l1, m4), vshrq_n_u8(l0, 4),
                                           vshrq_n_u8(l1, 4)};
                uint8x16_t top = hi;
                for (int g = 0; g < 4; ++g, top = vshrq_n_u8(top, 2))
                    s.q[8 * h + 2 * g + half16] = vsubq_s8(
                        vreinterpretq_s8_u8(vorrq_u8(low[g], vshlq_n_u8(vandq_u8(top, m3), 4))), bias);
            }
        for (int g = 0; g < 16; ++g) s.sc[g] = x.scales[g];
        s.d = s.dmin = half(x.d);
    }
};

template <class D>
struct KQuant {
    using Block = typename D::Block;

    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        static_assert(MA <= 4, "one float lane per activation row");
        const int64_t nb = n / QK_K;
        float32x4_t acc[MW];
        for (int i = 0; i < MW; ++i) acc[i] = vdupq_n_f32(0.0f);
        SuperBlock sb[MW];
        for (int64_t b = 0; b < nb; ++b) {
            for (int i = 0; i < MW; ++i) D::decode(reinterpret_cast<const Block*>(at(w, ws, i))[b], sb[i]);
            const BlockQ8_K* y[MA];
            float dy[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            for (int j = 0; j < MA; ++j) {
                y[j] = reinterpret_cast<const BlockQ8_K*>(at(a, as, j)) + b;
                dy[j] = y[j]->d;
            }
            int32x4_t isum[MW][MA];
            for (int i = 0; i < MW; ++i)
                for (int j = 0; j < MA; ++j) isum[i][j] = vdupq_n_s32(0);
            if constexpr (D::kPairs) {
                // One scale per 32 values: two SDOTs into one sum before the scale multiplies it.
                for (int p = 0; p < 8; ++p) {
                    int8x16_t y0[MA], y1[MA];
                    for (int j = 0; j < MA; ++j) {
                        y0[j] = vld1q_s8(y[j]->qs + 32 * p);
                        y1[j] = vld1q_s8(y[j]->qs + 32 * p + 16);
                    }
                    for (int i = 0; i < MW; ++i)
                        for (int j = 0; j < MA; ++j)
                            isum[i][j] = vmlaq_n_s32(
                                isum[i][j],
                                vdotq_s32(dot16(sb[i].q[2 * p], y0[j]), sb[i].q[2 * p + 1], y1[j]),
                                sb[i].sc[p]);
                }
            } else {
                for (int g = 0; g < 16; ++g) {
                    int8x16_t yv[MA];
                    for (int j = 0; j < MA; ++j) yv[j] = vld1q_s8(y[j]->qs + 16 * g);
                    for (int i = 0; i < MW; ++i)
                        for (int j = 0; j < MA; ++j)
                            isum[i][j] = vmlaq_n_s32(isum[i][j], dot16(sb[i].q[g], yv[j]), sb[i].sc[g]);
                }
            }
            const float32x4_t dyv = vld1q_f32(dy);
            for (int i = 0; i < MW; ++i) {
                acc[i] = vfmaq_f32(acc[i], vcvtq_f32_s32(fold<MA>(isum[i])), vmulq_n_f32(dyv, sb[i].d));
                if constexpr (D::kMins) {
                    const int16x8_t m0 = vld1q_s16(sb[i].mn), m1 = vld1q_s16(sb[i].mn + 8);
                    int32x4_t msum[MA];
                    for (int j = 0; j < MA; ++j) {
                        const int16x8_t b0 = vld1q_s16(y[j]->bsums), b1 = vld1q_s16(y[j]->bsums + 8);
                        int32x4_t m = vmull_s16(vget_low_s16(m0), vget_low_s16(b0));
                        m = vmlal_high_s16(m, m0, b0);
                        m = vmlal_s16(m, vget_low_s16(m1), vget_low_s16(b1));
                        msum[j] = vmlal_high_s16(m, m1, b1);
                    }
                    acc[i] = vfmsq_f32(acc[i], vcvtq_f32_s32(fold<MA>(msum)), vmulq_n_f32(dyv, sb[i].dmin));
                }
            }
        }
        for (int i = 0; i < MW; ++i) store_lanes<MA>(acc[i], out, os, i);
    }
};

// ---- float formats ---------------------------------------------------------------------------------

inline float32x4_t load4(const float* p) {
    return vld1q_f32(p);
}
inline float32x4_t load4(const uint16_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}
inline float load1(const float* p) {
    return *p;
}
inline float load1(const uint16_t* p) {
    return half(*p);
}

template <class T>
struct Float {
    // One row pair (generation): four independent accumulators over 16 values per step.
    static float row(int64_t n, const T* x, const T* y) {
        float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
        int64_t k = 0;
        for (; k + 16 <= n; k += 16)
            for (int u = 0; u < 4; ++u)
                acc[u] = vfmaq_f32(acc[u], load4(x + k + 4 * u), load4(y + k + 4 * u));
        for (; k + 4 <= n; k += 4) acc[0] = vfmaq_f32(acc[0], load4(x + k), load4(y + k));
        float s = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
        for (; k < n; ++k) s += load1(x + k) * load1(y + k);
        return s;
    }

    template <int MW, int MA>
    static void tile(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
        if constexpr (MW == 1 && MA == 1) {
            out[0] = row(n, static_cast<const T*>(w), static_cast<const T*>(a));
            return;
        } else {
            float32x4_t acc[MW][MA];
            for (int i = 0; i < MW; ++i)
                for (int j = 0; j < MA; ++j) acc[i][j] = vdupq_n_f32(0.0f);
            const T* wr[MW];
            const T* ar[MA];
            for (int i = 0; i < MW; ++i) wr[i] = reinterpret_cast<const T*>(at(w, ws, i));
            for (int j = 0; j < MA; ++j) ar[j] = reinterpret_cast<const T*>(at(a, as, j));
            int64_t k = 0;
            for (; k + 4 <= n; k += 4) {
                float32x4_t av[MA];
                for (int j = 0; j < MA; ++j) av[j] = load4(ar[j] + k);
                for (int i = 0; i < MW; ++i) {
                    const float32x4_t wv = load4(wr[i] + k);
                    for (int j = 0; j < MA; ++j) acc[i][j] = vfmaq_f32(acc[i][j], wv, av[j]);
                }
            }
            for (int i = 0; i < MW; ++i)
                for (int j = 0; j < MA; ++j) {
                    float s = vaddvq_f32(acc[i][j]);
                    for (int64_t t = k; t < n; ++t) s += load1(wr[i] + t) * load1(ar[j] + t);
                    out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = s;
                }
        }
    }
};

// ---- tile dispatch ---------------------------------------------------------------------------------

template <class K, int W, int A>
void dispatch(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, int na, float* out,
              size_t os) {
    if constexpr (W > 1)
        if (nw < W) return dispatch<K, W - 1, A>(n, w, ws, nw, a, as, na, out, os);
    if constexpr (A > 1)
        if (na < A) return dispatch<K, W, A - 1>(n, w, ws, nw, a, as, na, out, os);
    K::template tile<W, A>(n, w, ws, a, as, out, os);
}

// The one-row path is the 1 x 1 tile itself, so vec_dot and a 1 x 1 tile agree to the bit.
template <class K>
float vec_dot(int64_t n, const void* w, const void* a) {
    float r = 0.0f;
    K::template tile<1, 1>(n, w, 0, a, 0, &r, 1);
    return r;
}

} // namespace

const DotKernel* neon_dot_kernel(BlockType type) {
    constexpr int W = kQuantTileW, A = kQuantTileA, FW = kFloatTileW, FA = kFloatTileA;
    using F32 = Float<float>;
    using F16 = Float<uint16_t>;
    using Q40 = Legacy32<DecQ4_0>;
    using Q41 = Legacy32<DecQ4_1>;
    using Q50 = Legacy32<DecQ5_0>;
    using Q51 = Legacy32<DecQ5_1>;
    using Q80 = Legacy32<DecQ8_0>;
    using Q2K = KQuant<DecQ2_K>;
    using Q3K = KQuant<DecQ3_K>;
    using Q4K = KQuant<DecQ4_K>;
    using Q5K = KQuant<DecQ5_K>;
    using Q6K = KQuant<DecQ6_K>;
    static const DotKernel kernels[] = {
        {BlockType::F32, KernelIsa::Neon, &vec_dot<F32>, &dispatch<F32, FW, FA>, FW, FA, nullptr},
        {BlockType::F16, KernelIsa::Neon, &vec_dot<F16>, &dispatch<F16, FW, FA>, FW, FA, &quantize_f16_neon},
        {BlockType::Q4_0, KernelIsa::Neon, &vec_dot<Q40>, &dispatch<Q40, W, A>, W, A, &quantize_q8_0_neon},
        {BlockType::Q4_1, KernelIsa::Neon, &vec_dot<Q41>, &dispatch<Q41, W, A>, W, A, &quantize_q8_1_neon},
        {BlockType::Q5_0, KernelIsa::Neon, &vec_dot<Q50>, &dispatch<Q50, W, A>, W, A, &quantize_q8_0_neon},
        {BlockType::Q5_1, KernelIsa::Neon, &vec_dot<Q51>, &dispatch<Q51, W, A>, W, A, &quantize_q8_1_neon},
        {BlockType::Q8_0, KernelIsa::Neon, &vec_dot<Q80>, &dispatch<Q80, W, A>, W, A, &quantize_q8_0_neon},
        {BlockType::Q2_K, KernelIsa::Neon, &vec_dot<Q2K>, &dispatch<Q2K, W, A>, W, A, &quantize_q8_K_neon},
        {BlockType::Q3_K, KernelIsa::Neon, &vec_dot<Q3K>, &dispatch<Q3K, W, A>, W, A, &quantize_q8_K_neon},
        {BlockType::Q4_K, KernelIsa::Neon, &vec_dot<Q4K>, &dispatch<Q4K, W, A>, W, A, &quantize_q8_K_neon},
        {BlockType::Q5_K, KernelIsa::Neon, &vec_dot<Q5K>, &dispatch<Q5K, W, A>, W, A, &quantize_q8_K_neon},
        {BlockType::Q6_K, KernelIsa::Neon, &vec_dot<Q6K>, &dispatch<Q6K, W, A>, W, A, &quantize_q8_K_neon},
    };
    return find_dot_kernel(kernels, type);
}

} // namespace fireside

#else

namespace fireside {

const DotKernel* neon_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#endif
