#pragma once

#include "engine/sampling/random.h"
#include "engine/sampling/sampler_settings.h"

#include <cstdint>
#include <span>
#include <vector>

namespace fireside {

// Picks the next token from a row of logits. The steps, in the order llama.cpp's `main` applied
// them in 2023:
//   1. repeat penalty over the distinct tokens of the last `repeat_last_n` history tokens
//      (positive logits divided by the penalty, others multiplied), then presence and frequency
//      penalties (logit -= count * frequency + (count > 0) * presence);
//   2. temperature <= 0: the argmax, first maximum on ties (no randomness used);
//   3. mirostat 1 or 2: temperature, then Mirostat's own truncation and a draw;
//   4. otherwise top-k -> top-p -> min-p -> temperature -> a draw from the softmax.
//      (Tail-free and typical sampling are not offered.) Top-p and min-p look at the probabilities
//      before temperature, as llama.cpp did.
// Draws use the Random generator seeded from the settings, so the same seed, logits and history
// give the same tokens everywhere.
class Sampler {
public:
    // Throws Error for invalid settings.
    explicit Sampler(const SamplerSettings& settings);

    // `history` holds the tokens so far (prompt and generated), oldest first. Throws Error for empty
    // logits, NaN or +inf logits, or logits that are all -inf.
    int32_t sample(std::span<const float> logits, std::span<const int32_t> history = {});

    // Back to the state right after construction (seeded generator, initial Mirostat mu).
    void reset();

    const SamplerSettings& settings() const { return settings_; }
    // Mirostat's running maximum surprise (starts at 2 tau) and the surprise of the last draw, in bits.
    double mirostat_mu() const { return mu_; }
    double last_surprise() const { return last_surprise_; }

private:
    struct Candidate {
        int32_t id;
        float logit;
        double p;
    };

    void apply_penalties(std::span<const int32_t> history);
    void sort_and_softmax();
    void keep(size_t n);
    void top_k(int32_t k);
    void top_p(float p);
    void min_p(float p);
    void scale(float temperature);
    size_t draw();
    int32_t mirostat_v1();
    int32_t mirostat_v2();

    SamplerSettings settings_;
    Random random_;
    double mu_ = 0.0;
    double last_surprise_ = 0.0;
    std::vector<Candidate> candidates_;
    size_t n_vocab_ = 0;
};

} // namespace fireside
