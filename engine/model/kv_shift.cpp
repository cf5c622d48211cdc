#include "engine/model/kv_shift.h"

#include "engine/core/error.h"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace fireside {

void shift_kv_positions(KvCache& cache, const RopeParams& rope, int64_t begin, int64_t end, int64_t delta) {
    if (begin < 0 || end < begin || end > cache.n_ctx() || begin + delta < 0 || end + delta > cache.n_ctx())
        throw Error(fmt::format("cannot move cached positions {}..{} by {} in a context of {} tokens", begin,
                                end, delta, cache.n_ctx()));
    const int64_t head_dim = cache.head_dim();
    if (rope.n_rot > head_dim)
        throw Error(
            fmt::format("{} rotated dimensions do not fit cached heads of {} values", rope.n_rot, head_dim));
    const int64_t n = end - begin;
    if (n == 0 || delta == 0) return;
    const int64_t kv_dim = cache.kv_dim(), n_heads = cache.n_head_kv();
    std::vector<float> table(static_cast<size_t>(rope.n_rot));
    // Rotating by the angle of position `delta` adds delta to every rotated key's position.
    rope_angles(rope, delta, table.data());

    std::vector<float> head_k(static_cast<size_t>(end * head_dim)), head_v(head_k.size());
    std::vector<float> rows_k(static_cast<size_t>(n * kv_dim)), rows_v(rows_k.size());
    for (int64_t layer = 0; layer < cache.n_layer(); ++layer) {
        for (int64_t h = 0; h < n_heads; ++h) {
            cache.read_head(layer, h, end, head_k.data(), head_v.data());
            for (int64_t p = 0; p < n; ++p) {
                const float* k = head_k.data() + (begin + p) * head_dim;
                const float* v = head_v.data() + (begin + p) * head_dim;
                float* out_k = rows_k.data() + p * kv_dim + h * head_dim;
                float* out_v = rows_v.data() + p * kv_dim + h * head_dim;
                std::copy(k, k + head_dim, out_k);
                std::copy(v, v + head_dim, out_v);
                apply_rope(out_k, 1, head_dim, rope.n_rot, table.data());
            }
        }
        cache.store(layer, begin + delta, n, rows_k.data(), rows_v.data());
    }
}

} // namespace fireside
