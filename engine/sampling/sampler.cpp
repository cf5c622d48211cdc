#include "engine/sampling/sampler.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <unordered_map>

namespace fireside {
namespace {

// Mirostat 1 estimates the Zipf exponent from this many of the most likely tokens (the paper's m).
constexpr size_t kMirostatM = 100;

} // namespace

Sampler::Sampler(const SamplerSettings& settings) : settings_(settings), random_(settings.seed) {
    settings_.validate();
    reset();
}

void Sampler::reset() {
    random_ = Random(settings_.seed);
    mu_ = 2.0 * settings_.mirostat_tau;
    last_surprise_ = 0.0;
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
    if (logits.empty()) throw Error("cannot sample: the model returned no logits");
    bool any_finite = false;
    for (size_t i = 0; i < logits.size(); ++i) {
        const float l = logits[i];
        if (std::isnan(l) || l == std::numeric_limits<float>::infinity())
            throw Error(fmt::format("cannot sample: the logit of token {} is {}; the model produced invalid "
                                    "numbers",
                                    i, l));
        any_finite = any_finite || std::isfinite(l);
    }
    if (!any_finite) throw Error("cannot sample: every logit is -inf, no token is possible");
    if (logits.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error("cannot sample: too many logits");

    n_vocab_ = logits.size();
    candidates_.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) candidates_[i] = {static_cast<int32_t>(i), logits[i], 0.0};

    apply_penalties(history);

    if (settings_.temperature <= 0) {
        // Candidates are still in id order, so the first maximum is the lowest id among equals.
        size_t best = 0;
        for (size_t i = 1; i < candidates_.size(); ++i)
            if (candidates_[i].logit > candidates_[best].logit) best = i;
        return candidates_[best].id;
    }
    if (settings_.mirostat == 1) return mirostat_v1();
    if (settings_.mirostat == 2) return mirostat_v2();

    top_k(settings_.top_k);
    top_p(settings_.top_p);
    min_p(settings_.min_p);
    scale(settings_.temperature);
    sort_and_softmax();
    return candidates_[draw()].id;
}

void Sampler::apply_penalties(std::span<const int32_t> history) {
    const bool repeat = settings_.repeat_penalty != 1.0f;
    const bool additive = settings_.presence_penalty != 0.0f || settings_.frequency_penalty != 0.0f;
    if ((!repeat && !additive) || settings_.repeat_last_n == 0) return;
    size_t window = history.size();
    if (settings_.repeat_last_n > 0) window = std::min(window, static_cast<size_t>(settings_.repeat_last_n));
    std::unordered_map<int32_t, int> counts;
    for (int32_t id : history.last(window))
        if (id >= 0 && static_cast<size_t>(id) < candidates_.size()) ++counts[id];
    for (const auto& [id, count] : counts) {
        float& logit = candidates_[static_cast<size_t>(id)].logit;
        if (repeat) logit = logit > 0 ? logit / settings_.repeat_penalty : logit * settings_.repeat_penalty;
        if (additive)
            logit -= static_cast<float>(count) * settings_.frequency_penalty + settings_.presence_penalty;
    }
}

// Sorts by logit, highest first (lower id first among equals, so results do not depend on the sort
// algorithm), and sets p to the softmax over the remaining candidates.
void Sampler::sort_and_softmax() {
    std::sort(candidates_.begin(), candidates_.end(), [](const Candidate& a, const Candidate& b) {
        return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    });
    const double max = candidates_.front().logit;
    double sum = 0.0;
    for (Candidate& c : candidates_) {
        c.p = std::exp(static_cast<double>(c.logit) - max);
        sum += c.p;
    }
    for (Candidate& c : candidates_) c.p /= sum;
}

void Sampler::keep(size_t n) {
    candidates_.resize(std::clamp<size_t>(n, 1, candidates_.size()));
}

void Sampler::top_k(int32_t k) {
    if (k <= 0 || static_cast<size_t>(k) >= candidates_.size()) return;
    const auto order = [](const Candidate& a, const Candidate& b) {
        return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    };
    std::nth_element(candidates_.begin(), candidates_.begin() + (k - 1), candidates_.end(), order);
    keep(static_cast<size_t>(k));
}

void Sampler::top_p(float p) {
    if (p >= 1.0f) return;
    sort_and_softmax();
    double cumulative = 0.0;
    size_t n = candidates_.size();
    for (size_t i = 0; i < candidates_.size(); ++i) {
        cumulative += candidates_[i].p;
        if (cumulative >= p) {
            n = i + 1;
            break;
        }
    }
    keep(n);
}

void Sampler::min_p(float p) {
    if (p <= 0.0f) return;
    sort_and_softmax();
    const double threshold = p * candidates_.front().p;
    size_t n = 1;
    while (n < candidates_.size() && candidates_[n].p >= threshold) ++n;
    keep(n);
}

void Sampler::scale(float temperature) {
    for (Candidate& c : candidates_) c.logit /= temperature;
}

// One draw from the candidates' probabilities (which must be current and sum to 1).
size_t Sampler::draw() {
    const double u = random_.uniform();
    double cumulative = 0.0;
    for (size_t i = 0; i < candidates_.size(); ++i) {
        cumulative += candidates_[i].p;
        if (u < cumulative) return i;
    }
    // Rounding can leave the total a hair below u: take the last token that has any probability.
    size_t last = 0;
    for (size_t i = 0; i < candidates_.size(); ++i)
        if (candidates_[i].p > 0) last = i;
    return last;
}

int32_t Sampler::mirostat_v1() {
    scale(settings_.temperature);
    sort_and_softmax();
    // Estimate the Zipf exponent s from the ratios of the top probabilities (least squares through 0).
    double sum_tb = 0.0, sum_tt = 0.0;
    for (size_t i = 0; i + 1 < std::min(kMirostatM, candidates_.size()); ++i) {
        if (candidates_[i + 1].p <= 0) break;
        const double t = std::log(static_cast<double>(i + 2) / static_cast<double>(i + 1));
        const double b = std::log(candidates_[i].p / candidates_[i + 1].p);
        sum_tb += t * b;
        sum_tt += t * t;
    }
    const double s_hat = sum_tb / sum_tt;
    const double epsilon = s_hat - 1.0;
    const double n = static_cast<double>(n_vocab_);
    const double k = std::pow(epsilon * std::pow(2.0, mu_) / (1.0 - std::pow(n, -epsilon)), 1.0 / s_hat);
    // A flat or single-token distribution gives no usable estimate: then keep everything.
    size_t kept = candidates_.size();
    if (std::isfinite(k)) kept = static_cast<size_t>(std::clamp(k, 1.0, static_cast<double>(kept)));
    keep(kept);
    sort_and_softmax();
    const size_t chosen = draw();
    last_surprise_ = -std::log2(candidates_[chosen].p);
    mu_ -= settings_.mirostat_eta * (last_surprise_ - settings_.mirostat_tau);
    return candidates_[chosen].id;
}

int32_t Sampler::mirostat_v2() {
    scale(settings_.temperature);
    sort_and_softmax();
    size_t n = 1;
    while (n < candidates_.size() && -std::log2(candidates_[n].p) <= mu_) ++n;
    keep(n);
    sort_and_softmax();
    const size_t chosen = draw();
    last_surprise_ = -std::log2(candidates_[chosen].p);
    mu_ -= settings_.mirostat_eta * (last_surprise_ - settings_.mirostat_tau);
    return candidates_[chosen].id;
}

} // namespace fireside
