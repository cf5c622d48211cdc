#pragma once

#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace fireside {

// The instruction sets the CPU dot-product kernels exist for.
enum class KernelIsa {
    Scalar,     // the block table's reference dot products: every machine, and the yardstick in tests
    Avx2,       // AVX2 + FMA + F16C
    Avx512,     // AVX-512 F/BW/VL + VNNI
    Avx512Vbmi, // the above + VBMI + GFNI (byte permutes and bit shuffles), for the odd-sized blocks
    Neon,       // arm64 NEON with the dot-product extension
};

const char* kernel_isa_name(KernelIsa isa);

// Dot products of a tile: n_w weight rows (stride w_stride bytes, in the weight type) against n_a
// activation rows (stride a_stride bytes, in the weight type's vec_dot_type), each n values long;
// out[a * out_stride + w] receives row w · activation a. Reusing each weight block for several
// activation rows is what makes prompt processing fast.
using DotTileFn = void (*)(int64_t n, const void* w, size_t w_stride, int n_w, const void* a, size_t a_stride,
                           int n_a, float* out, size_t out_stride);
using VecDotFn = float (*)(int64_t n, const void* w, const void* a);

struct DotKernel {
    BlockType type = BlockType::F32;
    KernelIsa isa = KernelIsa::Scalar;
    VecDotFn vec_dot = nullptr; // one weight row · one activation row
    DotTileFn tile = nullptr;   // up to max_w x max_a rows at once
    int max_w = 1;
    int max_a = 1;
    // Converts activation rows to vec_dot_type; nullptr: the block table's quantize_row.
    void (*quantize)(const float* x, void* out, int64_t n) = nullptr;
    // Kernels that read their activations in an order of their own: the bytes of one such row of n
    // values, and the conversion of one row in vec_dot_type into it (applied after `quantize`, once
    // per product, so the kernel's inner loop finds everything where its weight registers need it).
    // nullptr: activations are plain vec_dot_type rows.
    size_t (*act_row_bytes)(int64_t n) = nullptr;
    void (*arrange)(const void* in, void* out, int64_t n) = nullptr;
    // A kernel of its own for prompt batches (kBatchKernelTokens or more activation rows), with its
    // own activation order where decoding a weight block into that order pays off only when many
    // rows share it; nullptr: this kernel serves batches too.
    const DotKernel* batch = nullptr;
    // A kernel for weights repacked sixteen rows at a time (see repack), or nullptr. Its tile always
    // takes whole groups of sixteen rows (w points at a group, n_w is 16) and any activation count up
    // to max_a; one-token products and batches both use it.
    const DotKernel* packed = nullptr;
    // On a packed kernel: writes sixteen consecutive rows (row_bytes apart, n values each) as one
    // group, which occupies exactly as many bytes as the rows did.
    void (*repack)(const void* rows, size_t row_bytes, void* out, int64_t n) = nullptr;
};

// Rows per group of a packed weight layout.
inline constexpr int64_t kPackedRows = 16;

// Products with at least this many activation rows use DotKernel::batch where there is one.
inline constexpr int64_t kBatchKernelTokens = 4;

// The entry for `type` in one instruction set's kernel table, or nullptr.
const DotKernel* find_dot_kernel(std::span<const DotKernel> table, BlockType type);

// Bytes of one activation row of n values as `kernel` reads it.
size_t activation_row_bytes(const DotKernel& kernel, int64_t n);

// The fastest kernel for a weight type on this machine (FIRESIDE_CPU_KERNELS=scalar|avx2|avx512 caps
// the choice, for comparisons).
const DotKernel& best_dot_kernel(BlockType type);

// The kernel of one instruction set, or nullptr when this build or this CPU has none for the type.
const DotKernel* dot_kernel_for(BlockType type, KernelIsa isa);

// Per-ISA kernel tables (defined in the kernel files; they return nullptr when the file was not
// compiled for this architecture or the type has no kernel there).
const DotKernel* avx2_dot_kernel(BlockType type);
const DotKernel* avx512_dot_kernel(BlockType type);
const DotKernel* avx512vbmi_dot_kernel(BlockType type);
const DotKernel* neon_dot_kernel(BlockType type);

// q8_0 / q8_1 activation rows as the AVX-512 tier makes them (exported for the VBMI tier, which
// rearranges them).
void avx512_quantize_q8_0(const float* x, void* out, int64_t n);
void avx512_quantize_q8_1(const float* x, void* out, int64_t n);

} // namespace fireside
