#include "engine/quant/block_codes.h"
#include "engine/quant/reference_kernels.h"
#include "engine/quant/scale_search.h"
#include "engine/quant/stored_scale.h"

#include <algorithm>
#include <cmath>
#include <limits>

// Quantizers of the k-quants. Each sub-block first gets its own least-squares scale (and min); the
// super-block then stores those as small integers times an f16 super-scale, and each sub-block picks the
// integer scale/min near the rounded one that gives the smallest error with its codes re-assigned, since
// rounding the scales is where most of the precision of the 2..4-bit formats goes.
namespace fireside::reference {

using scale_search::assign_affine;
using scale_search::assign_symmetric;
using scale_search::round_clamp;

namespace {

// Affine k-quants (q2_K, q4_K, q5_K): value = (d * sc) * q - (dmin * mn), sc/mn in [0, scale_max].
template <int GroupSize>
struct AffineSuperBlock {
    static constexpr int groups = QK_K / GroupSize;
    StoredScale d, dmin;
    uint8_t scales[groups];
    uint8_t mins[groups];
    uint8_t codes[QK_K];
};

template <int GroupSize>
AffineSuperBlock<GroupSize> quantize_affine_super_block(const float* x, int qmax, int scale_max) {
    constexpr int groups = QK_K / GroupSize;
    AffineSuperBlock<GroupSize> out{};
    int q[QK_K];
    float scale[groups], min[groups];
    float max_scale = 0, max_min = 0;
    for (int g = 0; g < groups; ++g) {
        scale_search::fit_affine_nonneg_min(x + g * GroupSize, GroupSize, qmax, q + g * GroupSize, &scale[g],
                                            &min[g]);
        max_scale = std::max(max_scale, scale[g]);
        max_min = std::max(max_min, min[g]);
    }
    out.d = store_scale_f16(max_scale / static_cast<float>(scale_max));
    out.dmin = store_scale_f16(max_min / static_cast<float>(scale_max));
    int trial[GroupSize];
    for (int g = 0; g < groups; ++g) {
        const float* xg = x + g * GroupSize;
        const int sc0 = out.d.value > 0.0f ? round_clamp(scale[g] / out.d.value, 0, scale_max) : 0;
        const int mn0 = out.dmin.value > 0.0f ? round_clamp(min[g] / out.dmin.value, 0, scale_max) : 0;
        double best = std::numeric_limits<double>::infinity();
        for (int sc = std::max(0, sc0 - 1); sc <= std::min(scale_max, sc0 + 1); ++sc)
            for (int mn = std::max(0, mn0 - 1); mn <= std::min(scale_max, mn0 + 1); ++mn) {
                const float dl = out.d.value * static_cast<float>(sc);
                const float ml = out.dmin.value * static_cast<float>(mn);
                const double err = assign_affine(xg, GroupSize, dl, ml, qmax, trial);
                if (err < best) {
                    best = err;
                    out.scales[g] = static_cast<uint8_t>(sc);
                    out.mins[g] = static_cast<uint8_t>(mn);
                    for (int l = 0; l < GroupSize; ++l)
                        out.codes[g * GroupSize + l] = static_cast<uint8_t>(trial[l]);
                }
            }
    }
    return out;
}

// Symmetric k-quants (q3_K, q6_K): value = (d * sc) * (code - bias), sc in [sc_min, sc_max], 16-value groups.
struct SymmetricSuperBlock {
    StoredScale d;
    int scales[QK_K / 16];
    uint8_t codes[QK_K]; // biased: code - qmin
};

SymmetricSuperBlock quantize_symmetric_super_block(const float* x, int qmin, int qmax, int sc_min,
                                                   int sc_max) {
    constexpr int groups = QK_K / 16;
    SymmetricSuperBlock out{};
    int q[QK_K];
    float scale[groups];
    float extreme = 0;
    for (int g = 0; g < groups; ++g) {
        scale_search::fit_symmetric(x + 16 * g, 16, qmin, qmax, q + 16 * g, &scale[g]);
        if (std::fabs(scale[g]) > std::fabs(extreme)) extreme = scale[g];
    }
    // The largest group scale maps to the end of the integer range with the most room (sc_min).
    out.d = store_scale_f16(extreme / static_cast<float>(sc_min));
    int trial[16];
    for (int g = 0; g < groups; ++g) {
        const float* xg = x + 16 * g;
        const int sc0 = out.d.value != 0.0f ? round_clamp(scale[g] / out.d.value, sc_min, sc_max) : 0;
        double best = std::numeric_limits<double>::infinity();
        for (int sc = std::max(sc_min, sc0 - 1); sc <= std::min(sc_max, sc0 + 1); ++sc) {
            const double err =
                assign_symmetric(xg, 16, out.d.value * static_cast<float>(sc), qmin, qmax, trial);
            if (err < best) {
                best = err;
                out.scales[g] = sc;
                for (int l = 0; l < 16; ++l) out.codes[16 * g + l] = static_cast<uint8_t>(trial[l] - qmin);
            }
        }
    }
    return out;
}

} // namespace

void quantize_row_q2_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ2_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const auto sb = quantize_affine_super_block<16>(src + b * QK_K, 3, 15);
        BlockQ2_K& blk = blocks[b];
        blk.d = sb.d.bits;
        blk.dmin = sb.dmin.bits;
        for (int g = 0; g < 16; ++g) blk.scales[g] = static_cast<uint8_t>(sb.scales[g] | (sb.mins[g] << 4));
        codes::pack_2bit_k(sb.codes, blk.qs);
    }
}

void quantize_row_q3_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ3_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const SymmetricSuperBlock sb = quantize_symmetric_super_block(src + b * QK_K, -4, 3, -32, 31);
        BlockQ3_K& blk = blocks[b];
        blk.d = sb.d.bits;
        uint8_t biased_scales[16];
        for (int g = 0; g < 16; ++g) biased_scales[g] = static_cast<uint8_t>(sb.scales[g] + 32);
        codes::pack_scales_q3_K(biased_scales, blk.scales);
        codes::pack_q3_K(sb.codes, blk);
    }
}

void quantize_row_q4_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ4_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const auto sb = quantize_affine_super_block<32>(src + b * QK_K, 15, 63);
        BlockQ4_K& blk = blocks[b];
        blk.d = sb.d.bits;
        blk.dmin = sb.dmin.bits;
        codes::pack_scales_mins_k4(sb.scales, sb.mins, blk.scales);
        codes::pack_nibbles_k(sb.codes, blk.qs);
    }
}

void quantize_row_q5_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ5_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const auto sb = quantize_affine_super_block<32>(src + b * QK_K, 31, 63);
        BlockQ5_K& blk = blocks[b];
        blk.d = sb.d.bits;
        blk.dmin = sb.dmin.bits;
        codes::pack_scales_mins_k4(sb.scales, sb.mins, blk.scales);
        codes::pack_q5_K(sb.codes, blk);
    }
}

void quantize_row_q6_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ6_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const SymmetricSuperBlock sb = quantize_symmetric_super_block(src + b * QK_K, -32, 31, -128, 127);
        BlockQ6_K& blk = blocks[b];
        blk.d = sb.d.bits;
        for (int g = 0; g < 16; ++g) blk.scales[g] = static_cast<int8_t>(sb.scales[g]);
        codes::pack_q6_K(sb.codes, blk);
    }
}

// The activation format of k-quant dot products: ggml's plain rule (the largest magnitude maps to -128,
// float scale), kept so our activations match the reference engine's exactly, plus the 16-value sums.
void quantize_row_q8_K(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ8_K*>(dst);
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float* x = src + b * QK_K;
        BlockQ8_K& blk = blocks[b];
        float extreme = 0;
        for (int j = 0; j < QK_K; ++j)
            if (std::fabs(x[j]) > std::fabs(extreme)) extreme = x[j];
        extreme = std::clamp(extreme, -1e30f, 1e30f); // inf input still gives a finite scale
        if (!(std::fabs(extreme) > 0.0f)) {
            blk = BlockQ8_K{};
            continue;
        }
        const float inverse = -128.0f / extreme;
        for (int j = 0; j < QK_K; ++j)
            blk.qs[j] = static_cast<int8_t>(round_clamp(x[j] * inverse, -128, 127));
        for (int g = 0; g < QK_K / 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += blk.qs[16 * g + l];
            blk.bsums[g] = static_cast<int16_t>(sum);
        }
        blk.d = 1.0f / inverse;
    }
}

} // namespace fireside::reference
