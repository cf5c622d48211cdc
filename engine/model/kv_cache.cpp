#include "engine/model/kv_cache.h"

#include "engine/core/error.h"
#include "engine/cpu/f16_convert.h"
#include "engine/cpu/vector_ops.h"
#include "engine/quant/fp16.h"

#include <cstring>
#include <fmt/format.h>

namespace fireside {

KvCache::KvCache(int64_t n_layer, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim, BlockType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), n_head_kv_(n_head_kv), head_dim_(head_dim), type_(type) {
    if (type != BlockType::F16 && type != BlockType::F32)
        throw Error(
            fmt::format("KV cache type {} is not supported (use f16 or f32)", block_traits(type).name));
    if (n_layer <= 0 || n_ctx <= 0 || n_head_kv <= 0 || head_dim <= 0)
        throw Error(fmt::format("invalid KV cache shape: {} layers, context {}, {} heads of {} values",
                                n_layer, n_ctx, n_head_kv, head_dim));
    elem_bytes_ = type == BlockType::F16 ? 2 : 4;
    n_tiled_ = (n_ctx + kKeyTile - 1) / kKeyTile * kKeyTile;
    const size_t total = static_cast<size_t>(n_layer * n_head_kv) * static_cast<size_t>(n_tiled_ * head_dim);
    k_ = LargeBuffer(total * elem_bytes_, "the keys of the context");
    v_ = LargeBuffer(total * elem_bytes_, "the values of the context");
    // Touched now, so that the pages are not faulted in one by one while tokens are evaluated.
    std::memset(k_.data(), 0, k_.size());
    std::memset(v_.data(), 0, v_.size());
}

int64_t KvCache::key_at(int64_t p, int64_t i) const {
    return (p / kKeyTile * head_dim_ + i) * kKeyTile + p % kKeyTile;
}

size_t KvCache::region(int64_t layer, int64_t head) const {
    return static_cast<size_t>(layer * n_head_kv_ + head) * static_cast<size_t>(n_tiled_ * head_dim_);
}

void KvCache::store(int64_t layer, int64_t pos, int64_t n, const float* k, const float* v) {
    if (layer < 0 || layer >= n_layer_ || pos < 0 || n < 0 || pos + n > n_ctx_)
        throw Error(fmt::format("the context is full: positions {}..{} do not fit a context of {} tokens",
                                pos, pos + n - 1, n_ctx_));
    const int64_t kv_dim = this->kv_dim();
    half_.resize(static_cast<size_t>(head_dim_));
    for (int64_t h = 0; h < n_head_kv_; ++h) {
        std::byte* keys = k_.data() + region(layer, h) * elem_bytes_;
        std::byte* values = v_.data() + region(layer, h) * elem_bytes_;
        for (int64_t t = 0; t < n; ++t) {
            const float* from_k = k + t * kv_dim + h * head_dim_;
            const float* from_v = v + t * kv_dim + h * head_dim_;
            const int64_t p = pos + t;
            const int64_t at = key_at(p, 0);
            if (type_ == BlockType::F16) {
                auto* kt = reinterpret_cast<uint16_t*>(keys);
                f32_to_f16_row(from_k, half_.data(), head_dim_);
                for (int64_t i = 0; i < head_dim_; ++i) kt[at + i * kKeyTile] = half_[static_cast<size_t>(i)];
                f32_to_f16_row(from_v, reinterpret_cast<uint16_t*>(values) + p * head_dim_, head_dim_);
            } else {
                auto* kt = reinterpret_cast<float*>(keys);
                for (int64_t i = 0; i < head_dim_; ++i) kt[at + i * kKeyTile] = from_k[i];
                std::memcpy(reinterpret_cast<float*>(values) + p * head_dim_, from_v,
                            static_cast<size_t>(head_dim_) * sizeof(float));
            }
        }
    }
}

const std::byte* KvCache::keys(int64_t layer, int64_t head) const {
    return k_.data() + region(layer, head) * elem_bytes_;
}

const std::byte* KvCache::values(int64_t layer, int64_t head) const {
    return v_.data() + region(layer, head) * elem_bytes_;
}

void KvCache::read_head(int64_t layer, int64_t head, int64_t n_pos, float* out_k, float* out_v) const {
    const std::byte* k = keys(layer, head);
    const std::byte* v = values(layer, head);
    const int64_t count = n_pos * head_dim_;
    if (type_ == BlockType::F16) {
        const auto* kt = reinterpret_cast<const uint16_t*>(k);
        for (int64_t p = 0; p < n_pos; ++p)
            for (int64_t i = 0; i < head_dim_; ++i) out_k[p * head_dim_ + i] = f16_to_f32(kt[key_at(p, i)]);
        f16_to_f32_row(reinterpret_cast<const uint16_t*>(v), out_v, count);
    } else {
        const auto* kt = reinterpret_cast<const float*>(k);
        for (int64_t p = 0; p < n_pos; ++p)
            for (int64_t i = 0; i < head_dim_; ++i) out_k[p * head_dim_ + i] = kt[key_at(p, i)];
        std::memcpy(out_v, v, static_cast<size_t>(count) * sizeof(float));
    }
}

} // namespace fireside
