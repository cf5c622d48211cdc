#include "engine/core/error.h"
#include "engine/quant/block_type.h"
#include "engine/quant/blocks.h"
#include "engine/quant/reference_kernels.h"

#include <array>
#include <fmt/format.h>

namespace fireside {
namespace {

#define FIRESIDE_KERNELS(type, dot_type)                                                                     \
    reference::dequantize_row_##type, reference::quantize_row_##type, BlockType::dot_type,                   \
        reference::vec_dot_##type

// One row per format, in GGML id order. vec_dot_type pairs each format with the format its dot-product
// partner is quantized to (see README.md for why q4_1/q5_1 pair with q8_1).
constexpr std::array k_traits{
    BlockTraits{BlockType::F32, "f32", 1, sizeof(float), false, FIRESIDE_KERNELS(f32, F32)},
    BlockTraits{BlockType::F16, "f16", 1, sizeof(uint16_t), false, FIRESIDE_KERNELS(f16, F16)},
    BlockTraits{BlockType::Q4_0, "q4_0", QK4_0, sizeof(BlockQ4_0), true, FIRESIDE_KERNELS(q4_0, Q8_0)},
    BlockTraits{BlockType::Q4_1, "q4_1", QK4_1, sizeof(BlockQ4_1), true, FIRESIDE_KERNELS(q4_1, Q8_1)},
    BlockTraits{BlockType::Q5_0, "q5_0", QK5_0, sizeof(BlockQ5_0), true, FIRESIDE_KERNELS(q5_0, Q8_0)},
    BlockTraits{BlockType::Q5_1, "q5_1", QK5_1, sizeof(BlockQ5_1), true, FIRESIDE_KERNELS(q5_1, Q8_1)},
    BlockTraits{BlockType::Q8_0, "q8_0", QK8_0, sizeof(BlockQ8_0), true, FIRESIDE_KERNELS(q8_0, Q8_0)},
    BlockTraits{BlockType::Q8_1, "q8_1", QK8_1, sizeof(BlockQ8_1), true, FIRESIDE_KERNELS(q8_1, Q8_1)},
    BlockTraits{BlockType::Q2_K, "q2_K", QK_K, sizeof(BlockQ2_K), true, FIRESIDE_KERNELS(q2_K, Q8_K)},
    BlockTraits{BlockType::Q3_K, "q3_K", QK_K, sizeof(BlockQ3_K), true, FIRESIDE_KERNELS(q3_K, Q8_K)},
    BlockTraits{BlockType::Q4_K, "q4_K", QK_K, sizeof(BlockQ4_K), true, FIRESIDE_KERNELS(q4_K, Q8_K)},
    BlockTraits{BlockType::Q5_K, "q5_K", QK_K, sizeof(BlockQ5_K), true, FIRESIDE_KERNELS(q5_K, Q8_K)},
    BlockTraits{BlockType::Q6_K, "q6_K", QK_K, sizeof(BlockQ6_K), true, FIRESIDE_KERNELS(q6_K, Q8_K)},
    BlockTraits{BlockType::Q8_K, "q8_K", QK_K, sizeof(BlockQ8_K), true, FIRESIDE_KERNELS(q8_K, Q8_K)},
};

#undef FIRESIDE_KERNELS

} // namespace

const BlockTraits* find_block_traits(uint32_t ggml_type_id) {
    for (const BlockTraits& t : k_traits)
        if (static_cast<uint32_t>(t.type) == ggml_type_id) return &t;
    return nullptr;
}

const BlockTraits& block_traits(BlockType type) {
    const BlockTraits* t = find_block_traits(static_cast<uint32_t>(type));
    if (t == nullptr) throw Error(fmt::format("unknown tensor type id {}", static_cast<uint32_t>(type)));
    return *t;
}

std::span<const BlockTraits> all_block_traits() {
    return k_traits;
}

std::optional<BlockType> block_type_from_name(std::string_view name) {
    for (const BlockTraits& t : k_traits)
        if (t.name == name) return t.type;
    return std::nullopt;
}

size_t row_bytes(BlockType type, int64_t n) {
    const BlockTraits& t = block_traits(type);
    if (n < 0 || n % t.block_values != 0)
        throw Error(fmt::format("a row of {} values is not a whole number of {}-value {} blocks", n,
                                t.block_values, t.name));
    return static_cast<size_t>(n / t.block_values) * t.block_bytes;
}

} // namespace fireside
