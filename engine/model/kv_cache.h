#pragma once

#include "engine/quant/block_type.h"

#include <cstdint>
#include <vector>

namespace fireside {

// Keys and values of every layer for the positions evaluated so far. Stored as f16 by default: it
// halves the memory of long contexts, and the reference engine rounds K and V to f16 the same way.
class KvCache {
public:
    KvCache() = default;
    // kv_dim = n_head_kv * head_dim values per position and layer; type F16 or F32.
    KvCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim, BlockType type = BlockType::F16);

    int64_t n_ctx() const { return n_ctx_; }
    int64_t kv_dim() const { return kv_dim_; }
    BlockType type() const { return type_; }
    uint64_t bytes() const { return static_cast<uint64_t>(k_.size() + v_.size()); }

    // Stores n rows of kv_dim values (k and v, row after row) at positions pos .. pos + n - 1.
    void store(int64_t layer, int64_t pos, int64_t n, const float* k, const float* v);
    // Copies the values of KV head `head` (head_dim values at head * head_dim) for positions
    // [0, n_pos) into dense float rows out_k/out_v[pos * head_dim + i].
    void read_head(int64_t layer, int64_t head, int64_t head_dim, int64_t n_pos, float* out_k,
                   float* out_v) const;
    // The stored keys / values of KV head `head` at position 0 of `layer` (in type()); position p is
    // p * row_bytes() further on.
    const std::byte* keys(int64_t layer, int64_t head, int64_t head_dim) const;
    const std::byte* values(int64_t layer, int64_t head, int64_t head_dim) const;
    size_t row_bytes() const { return static_cast<size_t>(kv_dim_) * elem_bytes_; }

private:
    size_t offset(int64_t layer, int64_t pos) const;
    int64_t n_layer_ = 0, n_ctx_ = 0, kv_dim_ = 0;
    BlockType type_ = BlockType::F16;
    size_t elem_bytes_ = 2;
    std::vector<std::byte> k_, v_;
};

} // namespace fireside
