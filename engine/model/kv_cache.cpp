#include "engine/model/kv_cache.h"

#include "engine/core/error.h"
#include "engine/cpu/f16_convert.h"

#include <cstring>
#include <fmt/format.h>

namespace fireside {

KvCache::KvCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim, BlockType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), kv_dim_(kv_dim), type_(type) {
    if (type != BlockType::F16 && type != BlockType::F32)
        throw Error(
            fmt::format("KV cache type {} is not supported (use f16 or f32)", block_traits(type).name));
    if (n_layer <= 0 || n_ctx <= 0 || kv_dim <= 0)
        throw Error(
            fmt::format("invalid KV cache shape: {} layers, context {}, {} values", n_layer, n_ctx, kv_dim));
    elem_bytes_ = type == BlockType::F16 ? 2 : 4;
    const size_t total =
        static_cast<size_t>(n_layer) * static_cast<size_t>(n_ctx) * static_cast<size_t>(kv_dim) * elem_bytes_;
    k_.resize(total);
    v_.resize(total);
}

size_t KvCache::offset(int64_t layer, int64_t pos) const {
    return (static_cast<size_t>(layer) * static_cast<size_t>(n_ctx_) + static_cast<size_t>(pos)) *
           static_cast<size_t>(kv_dim_) * elem_bytes_;
}

void KvCache::store(int64_t layer, int64_t pos, int64_t n, const float* k, const float* v) {
    if (layer < 0 || layer >= n_layer_ || pos < 0 || n < 0 || pos + n > n_ctx_)
        throw Error(fmt::format("the context is full: positions {}..{} do not fit a context of {} tokens",
                                pos, pos + n - 1, n_ctx_));
    const int64_t count = n * kv_dim_;
    if (type_ == BlockType::F16) {
        f32_to_f16_row(k, reinterpret_cast<uint16_t*>(k_.data() + offset(layer, pos)), count);
        f32_to_f16_row(v, reinterpret_cast<uint16_t*>(v_.data() + offset(layer, pos)), count);
    } else {
        std::memcpy(k_.data() + offset(layer, pos), k, static_cast<size_t>(count) * sizeof(float));
        std::memcpy(v_.data() + offset(layer, pos), v, static_cast<size_t>(count) * sizeof(float));
    }
}

const std::byte* KvCache::keys(int64_t layer, int64_t head, int64_t head_dim) const {
    return k_.data() + offset(layer, 0) + static_cast<size_t>(head * head_dim) * elem_bytes_;
}

const std::byte* KvCache::values(int64_t layer, int64_t head, int64_t head_dim) const {
    return v_.data() + offset(layer, 0) + static_cast<size_t>(head * head_dim) * elem_bytes_;
}

void KvCache::read_head(int64_t layer, int64_t head, int64_t head_dim, int64_t n_pos, float* out_k,
                        float* out_v) const {
    const size_t row = row_bytes();
    const std::byte* k = keys(layer, head, head_dim);
    const std::byte* v = values(layer, head, head_dim);
    for (int64_t p = 0; p < n_pos; ++p) {
        const size_t at = static_cast<size_t>(p) * row;
        if (type_ == BlockType::F16) {
            f16_to_f32_row(reinterpret_cast<const uint16_t*>(k + at), out_k + p * head_dim, head_dim);
            f16_to_f32_row(reinterpret_cast<const uint16_t*>(v + at), out_v + p * head_dim, head_dim);
        } else {
            std::memcpy(out_k + p * head_dim, k + at, static_cast<size_t>(head_dim) * sizeof(float));
            std::memcpy(out_v + p * head_dim, v + at, static_cast<size_t>(head_dim) * sizeof(float));
        }
    }
}

} // namespace fireside
