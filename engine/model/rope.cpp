#include "engine/model/rope.h"

#include <cmath>

namespace fireside {

RopeParams rope_params_for(const ModelDesc& desc, int64_t n_ctx) {
    RopeParams p;
    p.n_rot = desc.n_rot;
    p.freq_base = desc.rope_freq_base;
    p.freq_scale = desc.rope_freq_scale;
    if (desc.rope_scaling == RopeScaling::Dynamic) {
        p.freq_scale = 1.0f;
        const double factor = desc.rope_freq_scale > 0.0f ? 1.0 / desc.rope_freq_scale : 1.0;
        if (desc.n_ctx_train > 0 && n_ctx > desc.n_ctx_train && factor > 1.0 && desc.n_rot > 2) {
            const double stretch =
                factor * static_cast<double>(n_ctx) / static_cast<double>(desc.n_ctx_train) - (factor - 1.0);
            const double exponent = static_cast<double>(desc.n_rot) / static_cast<double>(desc.n_rot - 2);
            p.freq_base = static_cast<float>(desc.rope_freq_base * std::pow(stretch, exponent));
        }
    }
    return p;
}

void rope_angles(const RopeParams& params, int64_t pos, float* table) {
    const double position = static_cast<double>(pos) * params.freq_scale;
    for (int64_t i = 0; i < params.n_rot / 2; ++i) {
        const double theta =
            position * std::pow(static_cast<double>(params.freq_base),
                                -2.0 * static_cast<double>(i) / static_cast<double>(params.n_rot));
        table[2 * i] = static_cast<float>(std::cos(theta));
        table[2 * i + 1] = static_cast<float>(std::sin(theta));
    }
}

void apply_rope(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float* table) {
    for (int64_t h = 0; h < n_heads; ++h) {
        float* v = x + h * head_dim;
        for (int64_t i = 0; i < n_rot / 2; ++i) {
            const float c = table[2 * i], s = table[2 * i + 1];
            const float a = v[2 * i], b = v[2 * i + 1];
            v[2 * i] = a * c - b * s;
            v[2 * i + 1] = a * s + b * c;
        }
    }
}

} // namespace fireside
