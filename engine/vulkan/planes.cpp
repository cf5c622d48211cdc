#include "engine/vulkan/planes.h"

#include "engine/core/error.h"
#include "engine/quant/fp16.h"

#include <cstring>
#include <fmt/format.h>

namespace fireside::vk {
namespace {

struct Shape {
    uint64_t groups, units, quads;
    uint64_t codes_units() const { return groups * units * kPlaneRows; }
    uint64_t total_units() const { return codes_units() + groups * quads * kPlaneRows; }
};

Shape shape_of(BlockType type, int64_t n_cols, int64_t n_rows) {
    const BlockTraits& t = block_traits(type);
    if (n_cols <= 0 || n_rows <= 0 || n_cols % t.block_values != 0)
        throw Error(fmt::format("{} planes: {} x {} is not a matrix of whole {}-value blocks", t.name, n_rows,
                                n_cols, t.block_values));
    const auto units = static_cast<uint64_t>(n_cols / plane_unit_values(type));
    return {(static_cast<uint64_t>(n_rows) + kPlaneRows - 1) / kPlaneRows, units, (units + 3) / 4};
}

uint16_t u16_at(const std::byte* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return h;
}

// One q4_0 block (f16 scale, 16 bytes of nibbles) is one unit: its bytes as stored.
void q4_0_units(const std::byte* block, std::byte* codes[], float* scales) {
    std::memcpy(codes[0], block + 2, 16);
    scales[0] = f16_to_f32(u16_at(block));
}

// One q6_K super-block (ql[128], qh[64], int8 scales[16], f16 d) is 16 units of 16 values: value
// 128h + 32g + l (h, g < 4, l < 32) has its low 4 bits in ql[64h + 32(g & 1) + l] (the high nibble
// for g >= 2), its high 2 bits at bit 2g of qh[32h + l], and the scale of sub-block 8h + 2g + l / 16.
// The scale d * sc is exact in f32 (11 + 8 significant bits).
void q6_K_units(const std::byte* block, std::byte* codes[], float* scales) {
    const auto* b = reinterpret_cast<const uint8_t*>(block);
    const float d = f16_to_f32(u16_at(block + 208));
    for (int s = 0; s < 16; ++s) {
        const int h = s >> 3, g = (s & 7) >> 1, l0 = (s & 1) * 16;
        scales[s] = d * static_cast<float>(static_cast<int8_t>(b[192 + s]));
        for (int i = 0; i < 16; ++i) {
            const int lo = (b[64 * h + 32 * (g & 1) + l0 + i] >> ((g >> 1) * 4)) & 15;
            const int hi = (b[128 + 32 * h + l0 + i] >> (2 * g)) & 3;
            codes[s][i] = static_cast<std::byte>(static_cast<int8_t>((lo | (hi << 4)) - 32));
        }
    }
}

} // namespace

bool has_planes(BlockType type) {
    return type == BlockType::Q4_0 || type == BlockType::Q6_K;
}

int64_t plane_unit_values(BlockType type) {
    return type == BlockType::Q4_0 ? 32 : 16;
}

uint64_t planes_bytes(BlockType type, int64_t n_cols, int64_t n_rows) {
    if (!has_planes(type)) return 0;
    return shape_of(type, n_cols, n_rows).total_units() * 16;
}

Planes make_planes(BlockType type, const void* rows, int64_t n_cols, int64_t n_rows, size_t row_bytes) {
    if (!has_planes(type))
        throw Error(fmt::format("internal: no planes layout for {} weights", block_traits(type).name));
    const Shape s = shape_of(type, n_cols, n_rows);
    const BlockTraits& traits = block_traits(type);
    const uint64_t blocks = static_cast<uint64_t>(n_cols / traits.block_values);
    const uint64_t per_block = s.units / blocks;
    if (row_bytes < blocks * traits.block_bytes)
        throw Error(fmt::format("internal: {} rows shorter than their blocks", traits.name));
    Planes out;
    out.bytes.assign(s.total_units() * 16, std::byte{0});
    out.scales_at = static_cast<uint32_t>(s.codes_units());
    const auto* src = static_cast<const std::byte*>(rows);
    std::byte* codes_plane = out.bytes.data();
    std::byte* scales_plane = out.bytes.data() + s.codes_units() * 16;
    std::byte* codes[16];
    float scales[16];
    for (uint64_t r = 0; r < static_cast<uint64_t>(n_rows); ++r) {
        const uint64_t g = r / kPlaneRows, lane = r % kPlaneRows;
        for (uint64_t b = 0; b < blocks; ++b) {
            const std::byte* block = src + r * row_bytes + b * traits.block_bytes;
            for (uint64_t k = 0; k < per_block; ++k)
                codes[k] = codes_plane + ((g * s.units + b * per_block + k) * kPlaneRows + lane) * 16;
            if (type == BlockType::Q4_0)
                q4_0_units(block, codes, scales);
            else
                q6_K_units(block, codes, scales);
            for (uint64_t k = 0; k < per_block; ++k) {
                const uint64_t u = b * per_block + k;
                std::memcpy(scales_plane + ((g * s.quads + u / 4) * kPlaneRows + lane) * 16 + (u % 4) * 4,
                            &scales[k], 4);
            }
        }
    }
    return out;
}

} // namespace fireside::vk
