#pragma once

#include <cstdint>

namespace fireside {

// Float primitives of the forward pass, with AVX2 + FMA where the CPU has it.
//
// Attention's products over one KV head, for up to kMaxAttentionQueries queries at once so that each
// stored element is loaded once for all of them. Keys are stored transposed in tiles of kKeyTile
// positions (component i of position p at keys[(p / kKeyTile * n + i) * kKeyTile + p % kKeyTile]), so
// that consecutive positions fill the vector lanes and a tile is one contiguous run; the last tile is
// read whole, lanes past n_pos included. Values lie row after row (position p at values + p * n). f16
// elements (the KV cache's default) are converted on the fly. Every sum runs over its terms in order
// with one fused multiply-add per term, so the AVX2 and plain versions give the same bits, whatever
// the grouping of the queries.
constexpr int kMaxAttentionQueries = 8;
constexpr int64_t kKeyTile = 8;

// scores[j * n_pos + p] = Σ_i q[j * q_stride + i] · key_i(p), for j < n_q, p < n_pos, i < n.
void key_scores(const float* q, int64_t q_stride, int n_q, const float* keys, int64_t n_pos, int64_t n,
                float* scores);
void key_scores(const float* q, int64_t q_stride, int n_q, const uint16_t* keys, int64_t n_pos, int64_t n,
                float* scores);
// out[j * out_stride + i] = Σ_p w[j * n_pos + p] · values[p * n + i], for j < n_q, i < n.
void weighted_values(const float* w, int n_q, const float* values, int64_t n_pos, int64_t n, float* out,
                     int64_t out_stride);
void weighted_values(const float* w, int n_q, const uint16_t* values, int64_t n_pos, int64_t n, float* out,
                     int64_t out_stride);

// gate[i] = silu(gate[i]) * up[i], silu(x) = x / (1 + e^-x): the LLaMA feed-forward gate.
void swiglu(float* gate, const float* up, int64_t n);
// x = softmax(x * scale) over n values (n >= 1).
void softmax(float* x, int64_t n, float scale);

// The AVX2 versions, defined in the AVX2 kernel file (only called when the CPU has AVX2 + FMA + F16C).
void key_scores_avx2(const float* q, int64_t q_stride, int n_q, const float* keys, int64_t n_pos, int64_t n,
                     float* scores);
void key_scores_avx2(const float* q, int64_t q_stride, int n_q, const uint16_t* keys, int64_t n_pos,
                     int64_t n, float* scores);
void weighted_values_avx2(const float* w, int n_q, const float* values, int64_t n_pos, int64_t n, float* out,
                          int64_t out_stride);
void weighted_values_avx2(const float* w, int n_q, const uint16_t* values, int64_t n_pos, int64_t n,
                          float* out, int64_t out_stride);
void swiglu_avx2(float* gate, const float* up, int64_t n);
void softmax_avx2(float* x, int64_t n, float scale);

} // namespace fireside
