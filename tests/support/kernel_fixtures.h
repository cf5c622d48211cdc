// The CPU kernel checks, shared by test_cpu_kernels (Qt Test) and the Qt-free kernel_check that also
// runs for arm64 under an emulator, with the random rows they use. No Qt here.
#pragma once

#include "engine/cpu/dot_kernels.h"
#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace fireside::test {

// The largest tile a kernel may declare: the tests allocate for it.
inline constexpr int kMaxTileW = 16, kMaxTileA = 16;

// Byte offsets of the f16 scale fields in a block (every other byte pattern is a valid block).
std::vector<size_t> f16_fields(BlockType type);

// Scales that stress the kernels: zero, the f16 extremes, a subnormal, and ordinary values.
float pick_scale(std::mt19937& rng);

// Random weight rows of a type: random codes, scales from pick_scale (f32/f16: random values).
std::vector<std::byte> random_rows(BlockType type, int64_t n, int rows, std::mt19937& rng);

// Activation rows in the vec_dot_type, made by its scalar quantizer from rows of varied magnitude
// (one all-zero block per row) so that block sums and scales are consistent.
std::vector<std::byte> random_activations(BlockType act, int64_t n, int rows, std::mt19937& rng,
                                          std::vector<float>* floats = nullptr);

// |w| . |y| of the dequantized rows: the scale of the rounding error a dot product may carry.
double abs_dot(BlockType wt, BlockType at, int64_t n, const std::byte* w, const std::byte* a);

// The SIMD kernels this machine has for a weight type, every tier.
std::vector<const DotKernel*> simd_kernels(BlockType type);

// Activation rows in the order a kernel reads them (a copy of `plain` for most kernels).
std::vector<std::byte> arranged_for(const DotKernel& k, const std::vector<std::byte>& plain, int64_t n,
                                    int rows);

// Counts checks and keeps the first failures' descriptions.
struct CheckLog {
    int passed = 0, failed = 0;
    std::vector<std::string> failures;
    bool check(bool ok, const std::string& what);
};

// Every weight type that has CPU kernels.
extern const BlockType kWeightTypes[12];

std::string kernel_name(const DotKernel& k);

// Every tile shape of every SIMD kernel of this machine against the scalar dot product of each row
// pair, on rows of one block, an odd number of blocks, groups plus a tail and a long row (float
// formats also lengths that are no multiple of the vector width); vec_dot equals the 1 x 1 tile.
void simd_matches_scalar_reference(BlockType wt, CheckLog& log);

// Every packed kernel (weights repacked sixteen rows at a time) against the scalar dot product of each
// row pair, for two groups and every activation count.
void packed_matches_scalar_reference(BlockType wt, CheckLog& log);

// A SIMD activation quantizer may differ from the scalar one by one code step (f16: not at all).
void simd_activation_quantizers(CheckLog& log);

// matmul with the best kernel (quantized activations, tiles, threads, uneven chunks) against row dots.
void matmul_matches_plain_loop(CheckLog& log);

// swiglu and softmax (SIMD where this machine has it) against double-precision formulas, over lengths
// with and without a vector tail and inputs up to where e^x leaves the float range.
void float_primitives_match_double(CheckLog& log);

} // namespace fireside::test
