#pragma once

#include "engine/model/model_desc.h"

#include <cstdint>
#include <vector>

namespace fireside {

// Rotary position embedding as the original LLaMA/GGML "mode 0" applies it: within each head, the
// first n_rot values form ADJACENT pairs (2i, 2i+1) rotated by theta_i = pos * freq_scale *
// base^(-2i / n_rot); the values past n_rot pass through unchanged.
struct RopeParams {
    int64_t n_rot = 0;
    float freq_base = 10000.0f;
    float freq_scale = 1.0f; // linear position scaling (1 = none)
};

// The parameters a model uses in a session with a context of n_ctx tokens.
//
// Dynamic NTK scaling (the "dynamic" rope_scaling of Hugging Face transformers, recommended by
// Upstage's Llama-2-70b-instruct-v2 model card with factor 2): once the context exceeds the training
// length, the base is stretched to
//     base' = base * ((factor * n_ctx / n_ctx_train) - (factor - 1)) ^ (n_rot / (n_rot - 2))
// and positions are NOT scaled linearly. The factor is 1 / rope_freq_scale (GGUF's
// rope.scaling.factor, stored inverted like the linear scale). transformers recomputes the base as the
// sequence grows; here it is fixed from the session's context size, so keys already in the KV cache
// stay consistent with later queries.
RopeParams rope_params_for(const ModelDesc& desc, int64_t n_ctx);

// cos/sin of every pair's angle at one position: table[2i] = cos theta_i, table[2i + 1] = sin theta_i.
void rope_angles(const RopeParams& params, int64_t pos, float* table);

// Rotates n_heads heads of head_dim values each (consecutive in `x`) with a table from rope_angles.
void apply_rope(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float* table);

} // namespace fireside
