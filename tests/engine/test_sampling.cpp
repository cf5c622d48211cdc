// The sampler: greedy, determinism, each truncation step and the penalties, Mirostat's feedback loop
// and the inputs it must refuse.
#include "engine/core/error.h"
#include "engine/sampling/random.h"
#include "engine/sampling/sampler.h"

#include <QtTest>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

using namespace fireside;

namespace {

SamplerSettings plain(float temperature, uint64_t seed = 42) {
    SamplerSettings s;
    s.temperature = temperature;
    s.top_k = 0;
    s.top_p = 1.0f;
    s.min_p = 0.0f;
    s.repeat_penalty = 1.0f;
    s.seed = seed;
    return s;
}

std::vector<float> ramp_logits(size_t n, uint64_t seed) {
    Random r(seed);
    std::vector<float> logits(n);
    for (float& l : logits) l = static_cast<float>(r.uniform() * 8.0 - 4.0);
    return logits;
}

// Logits whose softmax gives exactly the probabilities `p` (up to a constant).
std::vector<float> logits_of(const std::vector<double>& p) {
    std::vector<float> l;
    for (double x : p) l.push_back(static_cast<float>(std::log(x)));
    return l;
}

// The set of tokens a sampler can return for these logits, found by drawing many times.
std::set<int32_t> reachable(const SamplerSettings& s, const std::vector<float>& logits, int draws = 4000) {
    Sampler sampler(s);
    std::set<int32_t> seen;
    for (int i = 0; i < draws; ++i) seen.insert(sampler.sample(logits));
    return seen;
}

} // namespace

class TestSampling : public QObject {
    Q_OBJECT

private slots:
    void random_is_reproducible_and_uniform() {
        Random a(7), b(7), c(8);
        double sum = 0;
        bool differs = false;
        for (int i = 0; i < 10000; ++i) {
            const double x = a.uniform();
            QCOMPARE(x, b.uniform());
            QVERIFY(x >= 0.0 && x < 1.0);
            differs = differs || x != c.uniform();
            sum += x;
        }
        QVERIFY(differs);
        QVERIFY(std::abs(sum / 10000 - 0.5) < 0.02);
    }

    void temperature_zero_is_argmax_first_on_ties() {
        Sampler s(plain(0.0f));
        QCOMPARE(s.sample(std::vector<float>{1, 5, 3, 5}), 1);
        QCOMPARE(s.sample(std::vector<float>{-1, -1, -1}), 0);
        const auto logits = ramp_logits(1000, 3);
        const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
        QCOMPARE(s.sample(logits), static_cast<int32_t>(best));
    }

    void top_k_one_is_greedy() {
        SamplerSettings settings = plain(1.5f);
        settings.top_k = 1;
        Sampler s(settings);
        for (uint64_t seed = 0; seed < 20; ++seed) {
            const auto logits = ramp_logits(300, seed);
            const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
            QCOMPARE(s.sample(logits), static_cast<int32_t>(best));
        }
    }

    void same_seed_gives_same_sequence() {
        SamplerSettings settings; // llama.cpp defaults: top-k 40, top-p 0.95, temperature 0.8, penalty
        settings.seed = 1234;
        std::vector<int32_t> first, second, other;
        for (auto* out : {&first, &second}) {
            Sampler s(settings);
            std::vector<int32_t> history;
            for (int i = 0; i < 200; ++i) {
                history.push_back(s.sample(ramp_logits(500, static_cast<uint64_t>(i % 7)), history));
                out->push_back(history.back());
            }
        }
        QCOMPARE(first, second);
        settings.seed = 1235;
        Sampler s(settings);
        std::vector<int32_t> history;
        for (int i = 0; i < 200; ++i) {
            history.push_back(s.sample(ramp_logits(500, static_cast<uint64_t>(i % 7)), history));
            other.push_back(history.back());
        }
        QVERIFY(first != other);
        // reset() starts the same sequence again.
        Sampler again(settings);
        const auto logits = ramp_logits(500, 1);
        const int32_t a = again.sample(logits);
        again.reset();
        QCOMPARE(again.sample(logits), a);
    }

    void draws_follow_the_softmax() {
        Sampler s(plain(1.0f, 99));
        const std::vector<double> p{0.5, 0.3, 0.2};
        std::vector<int> counts(3);
        const int n = 20000;
        for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(s.sample(logits_of(p)))];
        for (size_t i = 0; i < 3; ++i)
            QVERIFY2(std::abs(counts[i] / double(n) - p[i]) < 0.015, qPrintable(QString::number(counts[i])));
    }

    void repeat_penalty_divides_positive_and_multiplies_negative_logits() {
        // Token 0 (logit 3) and 1 (logit -1) are in the history, token 0 twice (penalized once).
        // Penalty 4: token 0 -> 0.75, token 1 -> -4, token 2 keeps 1.0, so greedy picks token 2.
        SamplerSettings settings = plain(0.0f);
        settings.repeat_penalty = 4.0f;
        settings.repeat_last_n = 64;
        Sampler s(settings);
        const std::vector<float> logits{3.0f, -1.0f, 1.0f, 0.9f};
        const std::vector<int32_t> history{0, 1, 0};
        QCOMPARE(s.sample(logits, history), 2);
        // Penalty 2: token 0 -> 1.5 still wins over 1.0.
        settings.repeat_penalty = 2.0f;
        QCOMPARE(Sampler(settings).sample(logits, history), 0);
        // Only the last repeat_last_n tokens count: with a window of 1 only token 0 is penalized...
        settings.repeat_penalty = 4.0f;
        settings.repeat_last_n = 1;
        QCOMPARE(Sampler(settings).sample(logits, history), 2);
        // ...and with the window ending on a token that is not 0, token 0 is untouched.
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{0, 0, 1}), 0);
        settings.repeat_last_n = 0;
        QCOMPARE(Sampler(settings).sample(logits, history), 0);
        // -1: the whole history.
        settings.repeat_last_n = -1;
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{0, 3, 3, 3}), 2);
        // Out-of-range history ids are ignored.
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{-5, 99}), 0);
    }

    void frequency_and_presence_penalties_subtract() {
        // Token 0 seen 3 times: 5 - 3 * 0.5 - 1 = 2.5 < token 1's 3.0; once: 5 - 0.5 - 1 = 3.5 > 3.0.
        SamplerSettings settings = plain(0.0f);
        settings.frequency_penalty = 0.5f;
        settings.presence_penalty = 1.0f;
        const std::vector<float> logits{5.0f, 3.0f};
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{0, 0, 0}), 1);
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{0}), 0);
        settings.frequency_penalty = 0.0f;
        settings.presence_penalty = 2.5f; // 5 - 2.5 = 2.5 < 3
        QCOMPARE(Sampler(settings).sample(logits, std::vector<int32_t>{0}), 1);
    }

    void top_k_keeps_exactly_k() {
        SamplerSettings settings = plain(1.0f);
        settings.top_k = 3;
        const std::vector<float> logits{1.0f, 4.0f, 0.5f, 3.9f, 3.8f, 2.0f};
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1, 3, 4}));
    }

    void top_p_keeps_the_smallest_set_reaching_p() {
        SamplerSettings settings = plain(1.0f);
        const auto logits = logits_of({0.1, 0.4, 0.05, 0.3, 0.15});
        settings.top_p = 0.65f; // 0.4 + 0.3 = 0.7 >= 0.65
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1, 3}));
        settings.top_p = 0.8f; // 0.4 + 0.3 + 0.15 = 0.85
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1, 3, 4}));
        settings.top_p = 0.0f; // always at least one token
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1}));
    }

    void min_p_drops_tokens_below_a_fraction_of_the_top() {
        SamplerSettings settings = plain(1.0f);
        const auto logits = logits_of({0.1, 0.4, 0.05, 0.3, 0.15});
        settings.min_p = 0.3f; // threshold 0.12: keeps 0.4, 0.3, 0.15
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1, 3, 4}));
        settings.min_p = 0.8f; // threshold 0.32
        QCOMPARE(reachable(settings, logits), (std::set<int32_t>{1}));
    }

    void temperature_sharpens_and_flattens() {
        const auto logits = logits_of({0.6, 0.4});
        auto share_of_first = [&](float temperature) {
            Sampler s(plain(temperature, 5));
            int first = 0;
            for (int i = 0; i < 20000; ++i) first += s.sample(logits) == 0;
            return first / 20000.0;
        };
        // p0 = 0.6^(1/T) / (0.6^(1/T) + 0.4^(1/T)): T = 0.5 -> 0.692, T = 2 -> 0.550.
        QVERIFY(std::abs(share_of_first(0.5f) - 0.6923) < 0.015);
        QVERIFY(std::abs(share_of_first(2.0f) - 0.5505) < 0.015);
    }

    void mirostat_keeps_surprise_near_tau() {
        // A Zipf-like distribution over 2000 tokens; the average surprise must settle near tau.
        std::vector<float> logits(2000);
        for (size_t i = 0; i < logits.size(); ++i) logits[i] = -1.1f * std::log(static_cast<float>(i + 1));
        for (int version : {1, 2}) {
            for (float tau : {3.0f, 5.0f}) {
                SamplerSettings settings = plain(1.0f, 11);
                settings.mirostat = version;
                settings.mirostat_tau = tau;
                settings.mirostat_eta = 0.1f;
                Sampler s(settings);
                double total = 0;
                const int warmup = 200, draws = 3000;
                for (int i = 0; i < warmup + draws; ++i) {
                    s.sample(logits);
                    if (i >= warmup) total += s.last_surprise();
                }
                const double mean = total / draws;
                QVERIFY2(
                    std::abs(mean - tau) < 0.3,
                    qPrintable(
                        QString("mirostat %1 tau %2: mean surprise %3").arg(version).arg(tau).arg(mean)));
            }
        }
    }

    void one_finite_logit_is_always_chosen() {
        const float ninf = -std::numeric_limits<float>::infinity();
        const std::vector<float> logits{ninf, ninf, 0.5f, ninf};
        for (float temperature : {0.0f, 0.7f, 2.0f}) {
            for (int mirostat : {0, 1, 2}) {
                SamplerSettings settings; // defaults, with penalties on
                settings.temperature = temperature;
                settings.mirostat = mirostat;
                Sampler s(settings);
                for (int i = 0; i < 50; ++i) QCOMPARE(s.sample(logits, std::vector<int32_t>{2, 2}), 2);
            }
        }
    }

    void single_token_vocabulary() {
        for (int mirostat : {0, 1, 2}) {
            SamplerSettings settings;
            settings.mirostat = mirostat;
            Sampler s(settings);
            QCOMPARE(s.sample(std::vector<float>{-3.0f}, std::vector<int32_t>{0}), 0);
        }
    }

    void invalid_logits_are_errors() {
        Sampler s(SamplerSettings{});
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        QVERIFY_THROWS_EXCEPTION(Error, s.sample(std::vector<float>{1.0f, nan}));
        QVERIFY_THROWS_EXCEPTION(Error, s.sample(std::vector<float>{1.0f, inf}));
        QVERIFY_THROWS_EXCEPTION(Error, s.sample(std::vector<float>{-inf, -inf}));
        QVERIFY_THROWS_EXCEPTION(Error, s.sample(std::vector<float>{}));
    }

    void invalid_settings_are_errors() {
        const auto rejects = [](auto change) {
            SamplerSettings s;
            change(s);
            try {
                Sampler sampler(s);
            } catch (const Error&) {
                return true;
            }
            return false;
        };
        QVERIFY(rejects([](SamplerSettings& s) { s.temperature = -1; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.temperature = std::numeric_limits<float>::quiet_NaN(); }));
        QVERIFY(rejects([](SamplerSettings& s) { s.top_p = 1.5f; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.min_p = -0.1f; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.repeat_penalty = 0; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.repeat_last_n = -2; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.mirostat = 3; }));
        QVERIFY(rejects([](SamplerSettings& s) { s.mirostat_tau = 0; }));
        QVERIFY(!rejects([](SamplerSettings&) {}));
    }
};

QTEST_APPLESS_MAIN(TestSampling)
#include "test_sampling.moc"
