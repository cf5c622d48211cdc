#pragma once

#include "engine/core/large_buffer.h"
#include "engine/quant/block_type.h"

#include <cstdint>
#include <vector>

namespace fireside {

// Keys and values of every layer for the positions evaluated so far. Stored as f16 by default: it
// halves the memory of long contexts, and the reference engine rounds K and V to f16 the same way.
// Each KV head has a region of its own per layer. Its values lie position after position; its keys
// are stored transposed in tiles of kKeyTile positions (see key_scores), so that attention scores
// consecutive positions in the lanes of one vector and reads each tile as one contiguous run.
class KvCache {
public:
    KvCache() = default;
    // n_head_kv heads of head_dim values per position and layer; type F16 or F32.
    KvCache(int64_t n_layer, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
            BlockType type = BlockType::F16);

    int64_t n_layer() const { return n_layer_; }
    int64_t n_ctx() const { return n_ctx_; }
    int64_t n_head_kv() const { return n_head_kv_; }
    int64_t head_dim() const { return head_dim_; }
    int64_t kv_dim() const { return n_head_kv_ * head_dim_; }
    BlockType type() const { return type_; }
    uint64_t bytes() const { return static_cast<uint64_t>(k_.size() + v_.size()); }

    // Stores n rows of kv_dim values (k and v, row after row) at positions pos .. pos + n - 1.
    void store(int64_t layer, int64_t pos, int64_t n, const float* k, const float* v);
    // Copies the values of KV head `head` (head_dim values at head * head_dim of each stored row) for
    // positions [0, n_pos) into dense float rows out_k/out_v[pos * head_dim + i].
    void read_head(int64_t layer, int64_t head, int64_t n_pos, float* out_k, float* out_v) const;
    // The stored keys of KV head `head` in `layer` (in type()), in key_scores' tiled order; the last
    // tile is always whole.
    const std::byte* keys(int64_t layer, int64_t head) const;
    // The stored values of KV head `head` in `layer`: position p's head_dim elements start at element
    // p * head_dim.
    const std::byte* values(int64_t layer, int64_t head) const;

private:
    size_t region(int64_t layer, int64_t head) const; // elements before a head's keys (or values)
    int64_t key_at(int64_t p, int64_t i) const;       // where component i of position p's key lies
    int64_t n_tiled_ = 0;                             // n_ctx rounded up to whole key tiles
    int64_t n_layer_ = 0, n_ctx_ = 0, n_head_kv_ = 0, head_dim_ = 0;
    BlockType type_ = BlockType::F16;
    size_t elem_bytes_ = 2;
    LargeBuffer k_, v_;          // many scattered reads: on huge pages they cost far fewer TLB misses
    std::vector<uint16_t> half_; // one key converted to f16 on its way into the transposed rows
};

} // namespace fireside
