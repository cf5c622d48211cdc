#pragma once

#include "engine/model/llama_weights.h"
#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fireside::vk {

// Weights repacked once at upload for the kernels in shaders/planes_*.glsl: rows in groups of 8 (one
// SIMD lane each on a CPU rasterizer), each block's codes as one aligned 16-byte word, the scales in
// a plane of their own as f32. The file's blocks are 18 bytes long, so neighbouring invocations
// reading them in place do unaligned scattered loads, which is what CPU rasterizers do worst.
//
// q4_0 layout, in 16-byte units: codes[group][block][lane] (the block's 16 nibble bytes as stored),
// then scales[group][quad][lane] (the scales of blocks 4q .. 4q + 3 as four floats, 0 past the row).
// Rows past the last (up to the group of 8) are zero.
struct Planes {
    std::vector<std::byte> bytes;
    uint32_t scales_at = 0; // where the scales plane starts, in 16-byte units
};

constexpr uint32_t kPlaneRows = 8;

bool has_planes(BlockType type);
// Whether the backend repacks this matrix when it repacks at all (a planes layout and whole blocks).
inline bool uses_planes(const WeightMatrix& m) {
    return has_planes(m.type) && m.n_cols % 32 == 0;
}
// The repacked size of n_rows rows of n_cols values (0 when the type has no planes layout).
uint64_t planes_bytes(BlockType type, int64_t n_cols, int64_t n_rows);
// Repacks rows `row_bytes` apart; throws Error when the type has no planes layout or n_cols does not
// fill whole blocks.
Planes make_planes(BlockType type, const void* rows, int64_t n_cols, int64_t n_rows, size_t row_bytes);

} // namespace fireside::vk
