#pragma once

#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>

namespace fireside {

// The instruction sets the CPU dot-product kernels exist for.
enum class KernelIsa {
    Scalar, // the block table's reference dot products: every machine, and the yardstick in tests
    Avx2,   // AVX2 + FMA + F16C
    Avx512, // AVX-512 F/BW/VL + VNNI
    Neon,   // arm64 NEON with the dot-product extension
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
};

// The fastest kernel for a weight type on this machine (FIRESIDE_CPU_KERNELS=scalar|avx2|avx512 caps
// the choice, for comparisons).
const DotKernel& best_dot_kernel(BlockType type);

// The kernel of one instruction set, or nullptr when this build or this CPU has none for the type.
const DotKernel* dot_kernel_for(BlockType type, KernelIsa isa);

// Per-ISA kernel tables (defined in the kernel files; they return nullptr when the file was not
// compiled for this architecture or the type has no kernel there).
const DotKernel* avx2_dot_kernel(BlockType type);
const DotKernel* avx512_dot_kernel(BlockType type);
const DotKernel* neon_dot_kernel(BlockType type);

} // namespace fireside
