// AVX-512 kernels that also use VBMI (byte permutes across the whole register) and GFNI (per-byte
// bit shuffles): Ice Lake and later, Zen 4 and later. They exist for the formats whose blocks are not
// a multiple of 16 bytes long, where the plain AVX-512 kernels spend most of their instructions
// gathering a block's codes and its scale into registers.
//
// q4_0 (and q5_0 the same way, with its fifth bits): four consecutive 18-byte blocks (72 bytes) come in with
// one 64-byte and one 8-byte load; one two-source byte permute lines up their 64 code bytes, one AND and one
// affine bit shuffle give the low and high nibbles, and one word permute plus one conversion give the four
// scales, replicated to the four 32-bit lanes each block owns. The activation row is rearranged once per
// product into the same order (see arrange_g4), with the -8 code offset and the activation scales
// precomputed per lane, so each group of four blocks costs two VPDPBUSD, one conversion, one multiply and one
// FMA.
#include "engine/cpu/dot_kernels.h"
#include "engine/quant/blocks.h"

#include <cstring>
#include <type_traits>

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) &&         \
    defined(__AVX512VNNI__) && defined(__AVX512VBMI__) && defined(__GFNI__) && defined(__F16C__)
#include "engine/cpu/avx512_intrinsics.h"

namespace fireside {
namespace {

constexpr int kGroupBlocks = 4;
constexpr size_t kGroupBytes = 320;

// One group of four activation blocks as the q4_0 kernel reads it.
struct ActGroup {
    int8_t lo[64];    // values 0..15 of block k at 16k
    int8_t hi[64];    // values 16..31 of block k at 16k
    int32_t bias[16]; // lane 4k + m: -offset x the sum of the eight activation codes that lane multiplies
    float scale[16];  // lane 4k + m: the scale of block k
    float sum[16];    // lane 4k + m: a quarter of block k's d * sum of codes (q8_1), for the min term
};
static_assert(sizeof(ActGroup) == kGroupBytes);

int64_t groups_of(int64_t n) {
    return (n / QK8_0 + kGroupBlocks - 1) / kGroupBlocks;
}

size_t g4_row_bytes(int64_t n) {
    return static_cast<size_t>(groups_of(n)) * kGroupBytes;
}

inline float scale_of(const BlockQ8_0& b) {
    return _cvtsh_ss(b.d);
}
inline float scale_of(const BlockQ8_1& b) {
    return b.d;
}

// Activation blocks -> groups of four. Block is q8_0 for weights whose codes are stored `Offset` above
// zero (q4_0: 8, q5_0: 16), or q8_1 for q5_1 (values d * q + m: no offset, and the block sums for the
// min term spread over the block's four lanes). A last partial group is padded with zero blocks,
// which contribute nothing whatever the weights beside them hold.
template <class Block, int Offset>
void arrange_g4(const void* in, void* out, int64_t n) {
    const auto* x = static_cast<const Block*>(in);
    auto* g = static_cast<ActGroup*>(out);
    const int64_t nb = n / QK8_0;
    for (int64_t first = 0; first < nb; first += kGroupBlocks, ++g) {
        std::memset(g, 0, sizeof(ActGroup));
        for (int k = 0; k < kGroupBlocks && first + k < nb; ++k) {
            const Block& b = x[first + k];
            std::memcpy(g->lo + 16 * k, b.qs, 16);
            std::memcpy(g->hi + 16 * k, b.qs + 16, 16);
            for (int m = 0; m < 4; ++m) {
                g->scale[4 * k + m] = scale_of(b);
                if constexpr (Offset != 0) {
                    int sum = 0;
                    for (int t = 0; t < 4; ++t) sum += b.qs[4 * m + t] + b.qs[16 + 4 * m + t];
                    g->bias[4 * k + m] = -Offset * sum;
                }
                if constexpr (std::is_same_v<Block, BlockQ8_1>) g->sum[4 * k + m] = 0.25f * b.s;
            }
        }
    }
}

inline const std::byte* at(const void* base, size_t stride, int i) {
    return static_cast<const std::byte*>(base) + stride * static_cast<size_t>(i);
}

// The decoded codes and scales of one group of one weight row.
struct WeightGroup {
    __m512i lo, hi;
    __m512 scale;
    __m512 min; // q4_1/q5_1: block k's m in lanes 4k .. 4k + 3
};

struct Q4_0Decoder {
    using Block = BlockQ4_0;
    static constexpr bool kMin = false;
    __m512i pick_codes, pick_scales, nibble_mask, high_nibble;

    Q4_0Decoder() {
        alignas(64) uint8_t codes[64];
        for (int k = 0; k < 4; ++k)
            for (int m = 0; m < 16; ++m) codes[16 * k + m] = static_cast<uint8_t>(18 * k + 2 + m);
        pick_codes = _mm512_load_si512(codes);
        alignas(64) uint16_t scales[32] = {};
        for (int j = 0; j < 16; ++j) scales[j] = static_cast<uint16_t>(9 * (j / 4));
        pick_scales = _mm512_load_si512(scales);
        nibble_mask = _mm512_set1_epi8(0x0F);
        // Affine bit matrix: output bit i = input bit i + 4 for i < 4, zero above (a byte's x >> 4).
        high_nibble = _mm512_set1_epi64(0x1020408000000000LL);
    }

    // Group g of a row: four blocks, or `tail` (1..3) blocks at the row's end.
    WeightGroup decode(const BlockQ4_0* row, int64_t g, int tail) const {
        const auto* p = reinterpret_cast<const uint8_t*>(row + kGroupBlocks * g);
        __m512i z0, z1;
        if (tail == 0) {
            z0 = _mm512_loadu_si512(p);
            z1 = _mm512_castsi128_si512(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 64)));
        } else {
            z0 = _mm512_maskz_loadu_epi8((__mmask64{1} << (18 * tail)) - 1, p);
            z1 = _mm512_setzero_si512();
        }
        const __m512i codes = _mm512_permutex2var_epi8(z0, pick_codes, z1);
        WeightGroup w;
        w.lo = _mm512_and_si512(codes, nibble_mask);
        w.hi = _mm512_gf2p8affine_epi64_epi8(codes, high_nibble, 0);
        w.scale = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(pick_scales, z0)));
        return w;
    }
};

// q5_0 (22-byte blocks: d, the fifth-bit word, 16 code bytes) and q5_1 (24 bytes: d, m, the fifth-bit
// word, 16 code bytes): four blocks come in with a 64-byte load and a masked 24- or 32-byte one.
// Besides the codes, one two-source word permute gathers d (words 0..15) and, for q5_1, m (words
// 16..31) replicated to each block's lanes, and another the four fifth-bit words as two 64-bit masks
// (values 0..15 and 16..31 of each block, in the lanes the nibbles land in) for masked adds. q4_1
// measured no faster here than on the plain AVX-512 tier, so it stays there.
template <class B>
struct FifthBitDecoder {
    using Block = B;
    static constexpr bool kMin = requires(const B& b) { b.m; };
    static constexpr int kBytes = static_cast<int>(sizeof(B));
    static constexpr int kCodes = kBytes - 16;      // byte offset of the codes in a block
    static constexpr int kFifth = (kCodes - 4) / 2; // word offset of the fifth-bit word
    __m512i pick_codes, pick_scales, pick_fifth, nibble_mask, high_nibble, sixteen;

    FifthBitDecoder() {
        alignas(64) uint8_t codes[64];
        for (int k = 0; k < 4; ++k)
            for (int m = 0; m < 16; ++m) codes[16 * k + m] = static_cast<uint8_t>(kBytes * k + kCodes + m);
        pick_codes = _mm512_load_si512(codes);
        alignas(64) uint16_t scales[32] = {}, fifth[32] = {};
        for (int j = 0; j < 16; ++j) {
            scales[j] = static_cast<uint16_t>(kBytes / 2 * (j / 4));                    // d
            if (kMin) scales[16 + j] = static_cast<uint16_t>(kBytes / 2 * (j / 4) + 1); // m
        }
        for (int k = 0; k < 4; ++k) {
            fifth[k] = static_cast<uint16_t>(kBytes / 2 * k + kFifth);         // bits of values 0..15
            fifth[4 + k] = static_cast<uint16_t>(kBytes / 2 * k + kFifth + 1); // bits of values 16..31
        }
        pick_scales = _mm512_load_si512(scales);
        pick_fifth = _mm512_load_si512(fifth);
        nibble_mask = _mm512_set1_epi8(0x0F);
        high_nibble = _mm512_set1_epi64(0x1020408000000000LL);
        sixteen = _mm512_set1_epi8(16);
    }

    WeightGroup decode(const Block* row, int64_t g, int tail) const {
        const auto* p = reinterpret_cast<const uint8_t*>(row + kGroupBlocks * g);
        const int bytes = tail == 0 ? kGroupBlocks * kBytes : kBytes * tail;
        const __m512i z0 =
            bytes >= 64 ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8((__mmask64{1} << bytes) - 1, p);
        const __m512i z1 = bytes > 64 ? _mm512_maskz_loadu_epi8((__mmask64{1} << (bytes - 64)) - 1, p + 64)
                                      : _mm512_setzero_si512();
        const __m512i codes = _mm512_permutex2var_epi8(z0, pick_codes, z1);
        const __m128i fifth = _mm512_castsi512_si128(_mm512_permutex2var_epi16(z0, pick_fifth, z1));
        WeightGroup w;
        w.lo = _mm512_and_si512(codes, nibble_mask);
        w.lo = _mm512_mask_add_epi8(w.lo, static_cast<__mmask64>(_mm_cvtsi128_si64(fifth)), w.lo, sixteen);
        w.hi = _mm512_gf2p8affine_epi64_epi8(codes, high_nibble, 0);
        w.hi = _mm512_mask_add_epi8(w.hi, static_cast<__mmask64>(_mm_extract_epi64(fifth, 1)), w.hi, sixteen);
        const __m512i dm = _mm512_permutex2var_epi16(z0, pick_scales, z1);
        w.scale = _mm512_cvtph_ps(_mm512_castsi512_si256(dm));
        if constexpr (kMin) w.min = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(dm, 1));
        return w;
    }
};

using Q5_0Decoder = FifthBitDecoder<BlockQ5_0>;
using Q5_1Decoder = FifthBitDecoder<BlockQ5_1>;

// One weight row against one activation row (generation): two groups per step into two accumulators,
// so consecutive groups do not wait on each other's FMA.
template <class D>
float row_dot(int64_t n, const typename D::Block* row, const ActGroup* act) {
    static const D decoder;
    const int64_t nb = n / QK8_0, full = nb / kGroupBlocks;
    const int tail = static_cast<int>(nb % kGroupBlocks);
    __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    auto step = [&](int64_t g, int tail_blocks, __m512& sum) {
        // Asking for the group's lines before the loads that need them measurably speeds up streaming
        // from memory (the loads alone leave the memory system idle more often).
        const char* p = reinterpret_cast<const char*>(row + kGroupBlocks * g);
        _mm_prefetch(p, _MM_HINT_T0);
        _mm_prefetch(p + kGroupBlocks * sizeof(typename D::Block) - 1, _MM_HINT_T0);
        const WeightGroup wg = decoder.decode(row, g, tail_blocks);
        const ActGroup& y = act[g];
        const __m512i dot = _mm512_dpbusd_epi32(
            _mm512_dpbusd_epi32(_mm512_loadu_si512(y.bias), wg.lo, _mm512_loadu_si512(y.lo)), wg.hi,
            _mm512_loadu_si512(y.hi));
        sum =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(wg.scale, _mm512_loadu_ps(y.scale)), sum);
        if constexpr (D::kMin) sum = _mm512_fmadd_ps(wg.min, _mm512_loadu_ps(y.sum), sum);
    };
    int64_t g = 0;
    for (; g + 2 <= full; g += 2) {
        step(g, 0, acc[0]);
        step(g + 1, 0, acc[1]);
    }
    if (g < full) step(g++, 0, acc[0]);
    if (tail) step(full, tail, acc[1]);
    return _mm512_reduce_add_ps(_mm512_add_ps(acc[0], acc[1]));
}

template <class D, int MW, int MA>
void tile_g4(int64_t n, const void* w, size_t ws, const void* a, size_t as, float* out, size_t os) {
    using Block = typename D::Block;
    if constexpr (MA == 1) {
        // One token: rows one after the other, so each thread reads one sequential stream, which the
        // hardware prefetchers follow best (several rows side by side read markedly slower).
        for (int i = 0; i < MW; ++i)
            out[i] =
                row_dot<D>(n, reinterpret_cast<const Block*>(at(w, ws, i)), static_cast<const ActGroup*>(a));
        return;
    }
    static const D decoder;
    const int64_t nb = n / QK8_0, full = nb / kGroupBlocks;
    const int tail = static_cast<int>(nb % kGroupBlocks);
    const Block* rows[MW];
    const ActGroup* acts[MA];
    for (int i = 0; i < MW; ++i) rows[i] = reinterpret_cast<const Block*>(at(w, ws, i));
    for (int j = 0; j < MA; ++j)
        acts[j] =
            reinterpret_cast<const ActGroup*>(static_cast<const std::byte*>(a) + as * static_cast<size_t>(j));
    __m512 acc[MW][MA];
    for (int i = 0; i < MW; ++i)
        for (int j = 0; j < MA; ++j) acc[i][j] = _mm512_setzero_ps();
    for (int64_t g = 0; g <= full; ++g) {
        // Whole groups, then the row's last 1..3 blocks (a branch the loop predicts, taken once).
        if (g == full && tail == 0) break;
        WeightGroup wg[MW];
        if (g < full) [[likely]]
            for (int i = 0; i < MW; ++i) wg[i] = decoder.decode(rows[i], g, 0);
        else
            for (int i = 0; i < MW; ++i) wg[i] = decoder.decode(rows[i], g, tail);
        for (int j = 0; j < MA; ++j) {
            const ActGroup& y = acts[j][g];
            const __m512i ylo = _mm512_loadu_si512(y.lo), yhi = _mm512_loadu_si512(y.hi);
            const __m512i bias = _mm512_loadu_si512(y.bias);
            const __m512 ys = _mm512_loadu_ps(y.scale);
            for (int i = 0; i < MW; ++i) {
                const __m512i dot =
                    _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(bias, wg[i].lo, ylo), wg[i].hi, yhi);
                acc[i][j] =
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(wg[i].scale, ys), acc[i][j]);
                if constexpr (D::kMin)
                    acc[i][j] = _mm512_fmadd_ps(wg[i].min, _mm512_loadu_ps(y.sum), acc[i][j]);
            }
        }
    }
    for (int i = 0; i < MW; ++i)
        for (int j = 0; j < MA; ++j)
            out[static_cast<size_t>(j) * os + static_cast<size_t>(i)] = _mm512_reduce_add_ps(acc[i][j]);
}

template <class D, int W, int A>
void dispatch_a(int64_t n, const void* w, size_t ws, const void* a, size_t as, int na, float* out,
                size_t os) {
    if constexpr (A > 1)
        if (na < A) return dispatch_a<D, W, A - 1>(n, w, ws, a, as, na, out, os);
    tile_g4<D, W, A>(n, w, ws, a, as, out, os);
}

template <class D, int W, int A>
void dispatch(int64_t n, const void* w, size_t ws, int nw, const void* a, size_t as, int na, float* out,
              size_t os) {
    if constexpr (W > 1)
        if (nw < W) return dispatch<D, W - 1, A>(n, w, ws, nw, a, as, na, out, os);
    dispatch_a<D, W, A>(n, w, ws, a, as, na, out, os);
}

template <class D>
float vec_dot(int64_t n, const void* w, const void* a) {
    float r = 0.0f;
    tile_g4<D, 1, 1>(n, w, 0, a, 0, &r, 1);
    return r;
}

} // namespace

const DotKernel* avx512vbmi_dot_kernel(BlockType type) {
    constexpr int W = 4, A = 4;
    static const DotKernel kernels[] = {
        // Prompt batches and packed weights: the plain AVX-512 tier's sixteen-rows-across-the-lanes
        // kernels.
        {BlockType::Q4_0, KernelIsa::Avx512Vbmi, &vec_dot<Q4_0Decoder>, &dispatch<Q4_0Decoder, W, A>, W, A,
         &avx512_quantize_q8_0, &g4_row_bytes, &arrange_g4<BlockQ8_0, 8>,
         avx512_dot_kernel(BlockType::Q4_0)->batch, avx512_dot_kernel(BlockType::Q4_0)->packed},
        {BlockType::Q5_0, KernelIsa::Avx512Vbmi, &vec_dot<Q5_0Decoder>, &dispatch<Q5_0Decoder, W, A>, W, A,
         &avx512_quantize_q8_0, &g4_row_bytes, &arrange_g4<BlockQ8_0, 16>, nullptr,
         avx512_dot_kernel(BlockType::Q5_0)->packed},
        {BlockType::Q5_1, KernelIsa::Avx512Vbmi, &vec_dot<Q5_1Decoder>, &dispatch<Q5_1Decoder, W, A>, W, A,
         &avx512_quantize_q8_1, &g4_row_bytes, &arrange_g4<BlockQ8_1, 0>, nullptr,
         avx512_dot_kernel(BlockType::Q5_1)->packed},
    };
    return find_dot_kernel(kernels, type);
}

} // namespace fireside

#else

namespace fireside {

const DotKernel* avx512vbmi_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#endif
