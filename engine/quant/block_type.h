#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace fireside {

// Tensor element formats, numbered as GGML numbers them in files (ids 4 and 5 were retired upstream).
enum class BlockType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
};

// One row of the block-format table that every backend keys off. A row of n values in a format
// occupies n / block_values * block_bytes bytes; n must be a whole number of blocks.
struct BlockTraits {
    BlockType type;
    std::string_view name; // as GGML names it: "f32", "q4_0", "q4_K", ...
    int64_t block_values;  // values per block (1 for f32/f16)
    size_t block_bytes;    // bytes per block
    bool quantized;

    // Scalar reference dequantizer: n values (a whole number of blocks) from src to dst.
    void (*dequantize_row)(const void* src, float* dst, int64_t n);
    // Reference quantizer from f32; nullptr where the format is only an intermediate.
    void (*quantize_row)(const float* src, void* dst, int64_t n);
    // The format the other operand of a dot product is converted to: Q8_0 for q4_0/q5_0/q8_0, Q8_1 for
    // q4_1/q5_1 (their min term needs the block sum that Q8_1 carries), Q8_K for the k-quants, the type
    // itself for f32/f16 (and for the intermediates q8_1/q8_K).
    BlockType vec_dot_type;
    // Scalar reference dot product of n values: x in this format, y in vec_dot_type.
    float (*vec_dot)(int64_t n, const void* x, const void* y);
};

// The traits of a GGML type id as found in a file, or nullptr when the id is unknown or retired.
const BlockTraits* find_block_traits(uint32_t ggml_type_id);
const BlockTraits& block_traits(BlockType type);
std::span<const BlockTraits> all_block_traits();
std::optional<BlockType> block_type_from_name(std::string_view name);

// Bytes of a row of n values; n must be a multiple of the block size.
size_t row_bytes(BlockType type, int64_t n);

} // namespace fireside
