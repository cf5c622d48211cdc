#pragma once

#include <cstdint>

namespace fireside {

// How the next token is chosen from the logits. Defaults are llama.cpp `main`'s of 2023, except
// min_p, which came later and is off by default.
struct SamplerSettings {
    float temperature = 0.8f;       // 0 (or less): greedy, the first maximum on ties
    int32_t top_k = 40;             // 0 (or less): keep every token
    float top_p = 0.95f;            // 1: off
    float min_p = 0.0f;             // 0: off; drops tokens below min_p x the top token's probability
    float repeat_penalty = 1.1f;    // 1: off
    int32_t repeat_last_n = 64;     // tokens of history the penalties look at; 0: none, -1: all
    float presence_penalty = 0.0f;  // subtracted once from each token present in that window
    float frequency_penalty = 0.0f; // subtracted once per occurrence in that window
    int32_t mirostat = 0;           // 0: off, 1: Mirostat, 2: Mirostat 2.0 (replace top-k/top-p/min-p)
    float mirostat_tau = 5.0f;      // target surprise in bits
    float mirostat_eta = 0.1f;      // learning rate
    uint64_t seed = 0;

    // Throws Error naming the first setting that is out of range.
    void validate() const;
};

} // namespace fireside
