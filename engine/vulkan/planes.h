#pragma once

#include "engine/model/llama_weights.h"
#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fireside::vk {

// Weights repacked once at upload for the kernels of shaders/planes.glsl: rows in groups of 8 (one
// SIMD lane each on a CPU rasterizer), each unit of codes one aligned 16-byte word, the scales in a
// plane of their own as f32. The file's blocks (18 bytes for q4_0, 210 for q6_K) make neighbouring
// invocations reading them in place do unaligned scattered loads, which CPU rasterizers do worst.
//
// Layout, in 16-byte words: codes[group][unit][lane], then scales[group][quad][lane] (the scales of
// units 4q .. 4q + 3 as four floats, 0 past the row). Rows past the last (up to the group of 8) are
// zero. A q4_0 unit is one block (its 16 nibble bytes as stored, value scale * (nibble - 8)); a q6_K
// unit is a 16-value sub-block as signed bytes (code - 32), its scale d * sc.
struct Planes {
    std::vector<std::byte> bytes;
    uint32_t scales_at = 0; // where the scales plane starts, in 16-byte units
};

constexpr uint32_t kPlaneRows = 8;

bool has_planes(BlockType type);
// Values per unit: 32 for q4_0, 16 for q6_K.
int64_t plane_unit_values(BlockType type);
// Whether the backend repacks this matrix when it repacks at all (a planes layout and whole blocks).
inline bool uses_planes(const WeightMatrix& m) {
    return has_planes(m.type) && m.n_cols % block_traits(m.type).block_values == 0;
}
// The repacked size of n_rows rows of n_cols values (0 when the type has no planes layout).
uint64_t planes_bytes(BlockType type, int64_t n_cols, int64_t n_rows);
// Repacks rows `row_bytes` apart; throws Error when the type has no planes layout or n_cols does not
// fill whole blocks.
Planes make_planes(BlockType type, const void* rows, int64_t n_cols, int64_t n_rows, size_t row_bytes);

} // namespace fireside::vk
