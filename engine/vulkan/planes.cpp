#include "engine/vulkan/planes.h"

#include "engine/core/error.h"
#include "engine/quant/fp16.h"

#include <cstring>
#include <fmt/format.h>

namespace fireside::vk {
namespace {

constexpr size_t kQ4_0Block = 18; // f16 scale, 16 bytes of nibbles

struct Q4_0Shape {
    uint64_t groups, blocks, quads;
    uint64_t codes_units() const { return groups * blocks * kPlaneRows; }
    uint64_t units() const { return codes_units() + groups * quads * kPlaneRows; }
};

Q4_0Shape q4_0_shape(int64_t n_cols, int64_t n_rows) {
    if (n_cols <= 0 || n_rows <= 0 || n_cols % 32 != 0)
        throw Error(
            fmt::format("q4_0 planes: {} x {} is not a matrix of whole 32-value blocks", n_rows, n_cols));
    const auto blocks = static_cast<uint64_t>(n_cols / 32);
    return {(static_cast<uint64_t>(n_rows) + kPlaneRows - 1) / kPlaneRows, blocks, (blocks + 3) / 4};
}

} // namespace

bool has_planes(BlockType type) {
    return type == BlockType::Q4_0;
}

uint64_t planes_bytes(BlockType type, int64_t n_cols, int64_t n_rows) {
    if (!has_planes(type)) return 0;
    return q4_0_shape(n_cols, n_rows).units() * 16;
}

Planes make_planes(BlockType type, const void* rows, int64_t n_cols, int64_t n_rows, size_t row_bytes) {
    if (!has_planes(type))
        throw Error(fmt::format("internal: no planes layout for {} weights", block_traits(type).name));
    const Q4_0Shape s = q4_0_shape(n_cols, n_rows);
    if (row_bytes < s.blocks * kQ4_0Block) throw Error("internal: q4_0 rows shorter than their blocks");
    Planes out;
    out.bytes.assign(s.units() * 16, std::byte{0});
    out.scales_at = static_cast<uint32_t>(s.codes_units());
    const auto* src = static_cast<const std::byte*>(rows);
    auto* codes = out.bytes.data();
    auto* scales = out.bytes.data() + s.codes_units() * 16;
    for (uint64_t r = 0; r < static_cast<uint64_t>(n_rows); ++r) {
        const uint64_t g = r / kPlaneRows, lane = r % kPlaneRows;
        const std::byte* row = src + r * row_bytes;
        for (uint64_t b = 0; b < s.blocks; ++b) {
            const std::byte* block = row + b * kQ4_0Block;
            std::memcpy(codes + ((g * s.blocks + b) * kPlaneRows + lane) * 16, block + 2, 16);
            uint16_t h;
            std::memcpy(&h, block, 2);
            const float d = f16_to_f32(h);
            std::memcpy(scales + ((g * s.quads + b / 4) * kPlaneRows + lane) * 16 + (b % 4) * 4, &d, 4);
        }
    }
    return out;
}

} // namespace fireside::vk
