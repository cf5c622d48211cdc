// The forward pass on a tiny random model written with the project's ggjt writer, against a plain
// double-precision implementation of LLaMA written here from the equations (no shared data needed):
// GQA, RoPE base/linear scale/dynamic NTK, tied output, batch vs token-by-token decoding.
#include "engine/core/error.h"
#include "engine/format/ggjt_writer.h"
#include "engine/model/load_llama_model.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <random>

using namespace fireside;

namespace {

constexpr int64_t kVocab = 48, kEmbd = 64, kHead = 4, kHeadKv = 2, kLayer = 2, kFf = 192, kHeadDim = 16;

struct Tensor {
    std::string name;
    std::vector<int64_t> ne;
    std::vector<float> v;
};

struct Fixture {
    std::vector<Tensor> tensors;
    const Tensor& get(const std::string& name) const {
        for (const Tensor& t : tensors)
            if (t.name == name) return t;
        qFatal("no tensor %s", name.c_str());
    }
};

Fixture make_fixture(bool tied) {
    std::mt19937 rng(2024);
    std::normal_distribution<float> g(0.0f, 1.0f);
    Fixture f;
    auto add = std::function<void(std::string, std::vector<int64_t>, float, float)>();
    add = [&](std::string name, std::vector<int64_t> ne, float mean, float sd) {
        Tensor t{std::move(name), std::move(ne), {}};
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        for (int64_t i = 0; i < n; ++i) t.v.push_back(mean + sd * g(rng));
        f.tensors.push_back(std::move(t));
    };
    add("tok_embeddings.weight", {kEmbd, kVocab}, 0.0f, 0.3f);
    add("norm.weight", {kEmbd}, 1.0f, 0.1f);
    if (!tied) add("output.weight", {kEmbd, kVocab}, 0.0f, 0.2f);
    for (int l = 0; l < kLayer; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        add(p + "attention_norm.weight", {kEmbd}, 1.0f, 0.1f);
        add(p + "attention.wq.weight", {kEmbd, kHead * kHeadDim}, 0.0f, 0.15f);
        add(p + "attention.wk.weight", {kEmbd, kHeadKv * kHeadDim}, 0.0f, 0.15f);
        add(p + "attention.wv.weight", {kEmbd, kHeadKv * kHeadDim}, 0.0f, 0.15f);
        add(p + "attention.wo.weight", {kHead * kHeadDim, kEmbd}, 0.0f, 0.15f);
        add(p + "ffn_norm.weight", {kEmbd}, 1.0f, 0.1f);
        add(p + "feed_forward.w1.weight", {kEmbd, kFf}, 0.0f, 0.15f);
        add(p + "feed_forward.w2.weight", {kFf, kEmbd}, 0.0f, 0.1f);
        add(p + "feed_forward.w3.weight", {kEmbd, kFf}, 0.0f, 0.15f);
    }
    return f;
}

std::filesystem::path write_fixture(const Fixture& f, const std::filesystem::path& path) {
    GgjtHeader h;
    h.n_vocab = kVocab;
    h.n_embd = kEmbd;
    h.n_mult = require_n_mult(kEmbd, kFf);
    h.n_head = kHead;
    h.n_layer = kLayer;
    h.n_rot = kHeadDim;
    h.ftype = 0;
    Vocab vocab;
    for (int i = 0; i < kVocab; ++i) {
        vocab.text.push_back(i < 3 ? std::string() : "t" + std::to_string(i));
        vocab.score.push_back(-static_cast<float>(i));
        vocab.kind.push_back(i == 1 || i == 2 ? TokenKind::Control
                             : i == 0         ? TokenKind::Unknown
                                              : TokenKind::Normal);
    }
    std::vector<TensorToWrite> out;
    for (const Tensor& t : f.tensors) out.push_back({t.name, BlockType::F32, t.ne});
    write_ggjt(path, h, vocab, out, [&](size_t tensor, int64_t first_row, int64_t n_rows, std::byte* dst) {
        const Tensor& t = f.tensors[tensor];
        std::memcpy(dst, t.v.data() + first_row * t.ne[0],
                    static_cast<size_t>(n_rows * t.ne[0]) * sizeof(float));
    });
    return path;
}

// ---- the plain double-precision LLaMA ----

using Vec = std::vector<double>;

Vec matvec(const Tensor& w, const Vec& x) { // w: ne = [n_in, n_out], row r at r * n_in
    const int64_t n_in = w.ne[0], n_out = w.ne[1];
    Vec y(static_cast<size_t>(n_out), 0.0);
    for (int64_t r = 0; r < n_out; ++r)
        for (int64_t c = 0; c < n_in; ++c)
            y[static_cast<size_t>(r)] += w.v[static_cast<size_t>(r * n_in + c)] * x[static_cast<size_t>(c)];
    return y;
}

Vec rmsnorm(const Vec& x, const Tensor& w, double eps) {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double s = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
    Vec y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s * w.v[i];
    return y;
}

void rope(Vec& x, int64_t n_heads, int64_t pos, double base, double scale) {
    for (int64_t h = 0; h < n_heads; ++h)
        for (int64_t i = 0; i < kHeadDim / 2; ++i) {
            const double theta =
                static_cast<double>(pos) * scale * std::pow(base, -2.0 * static_cast<double>(i) / kHeadDim);
            double& a = x[static_cast<size_t>(h * kHeadDim + 2 * i)];
            double& b = x[static_cast<size_t>(h * kHeadDim + 2 * i + 1)];
            const double a0 = a, b0 = b;
            a = a0 * std::cos(theta) - b0 * std::sin(theta);
            b = a0 * std::sin(theta) + b0 * std::cos(theta);
        }
}

// Logits of every position for tokens evaluated from position 0.
std::vector<double> reference_logits(const Fixture& f, const std::vector<int32_t>& tokens, double eps,
                                     double base, double scale) {
    const Tensor& emb = f.get("tok_embeddings.weight");
    std::vector<Vec> hidden;
    for (int32_t t : tokens) hidden.emplace_back(emb.v.begin() + t * kEmbd, emb.v.begin() + (t + 1) * kEmbd);
    const auto n = static_cast<int64_t>(tokens.size());
    for (int l = 0; l < kLayer; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        std::vector<Vec> q(hidden.size()), k(hidden.size()), v(hidden.size());
        for (int64_t t = 0; t < n; ++t) {
            const Vec x = rmsnorm(hidden[static_cast<size_t>(t)], f.get(p + "attention_norm.weight"), eps);
            q[static_cast<size_t>(t)] = matvec(f.get(p + "attention.wq.weight"), x);
            k[static_cast<size_t>(t)] = matvec(f.get(p + "attention.wk.weight"), x);
            v[static_cast<size_t>(t)] = matvec(f.get(p + "attention.wv.weight"), x);
            rope(q[static_cast<size_t>(t)], kHead, t, base, scale);
            rope(k[static_cast<size_t>(t)], kHeadKv, t, base, scale);
        }
        for (int64_t t = 0; t < n; ++t) {
            Vec attn(static_cast<size_t>(kHead * kHeadDim), 0.0);
            for (int64_t h = 0; h < kHead; ++h) {
                const int64_t kvh = h / (kHead / kHeadKv);
                std::vector<double> s(static_cast<size_t>(t + 1));
                double mx = -1e300;
                for (int64_t j = 0; j <= t; ++j) {
                    double d = 0;
                    for (int64_t i = 0; i < kHeadDim; ++i)
                        d += q[static_cast<size_t>(t)][static_cast<size_t>(h * kHeadDim + i)] *
                             k[static_cast<size_t>(j)][static_cast<size_t>(kvh * kHeadDim + i)];
                    s[static_cast<size_t>(j)] = d / std::sqrt(static_cast<double>(kHeadDim));
                    mx = std::max(mx, s[static_cast<size_t>(j)]);
                }
                double sum = 0;
                for (double& e : s) sum += (e = std::exp(e - mx));
                for (int64_t j = 0; j <= t; ++j)
                    for (int64_t i = 0; i < kHeadDim; ++i)
                        attn[static_cast<size_t>(h * kHeadDim + i)] +=
                            s[static_cast<size_t>(j)] / sum *
                            v[static_cast<size_t>(j)][static_cast<size_t>(kvh * kHeadDim + i)];
            }
            const Vec o = matvec(f.get(p + "attention.wo.weight"), attn);
            Vec& x = hidden[static_cast<size_t>(t)];
            for (size_t i = 0; i < x.size(); ++i) x[i] += o[i];
            const Vec xn = rmsnorm(x, f.get(p + "ffn_norm.weight"), eps);
            Vec gate = matvec(f.get(p + "feed_forward.w1.weight"), xn);
            const Vec up = matvec(f.get(p + "feed_forward.w3.weight"), xn);
            for (size_t i = 0; i < gate.size(); ++i) gate[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
            const Vec down = matvec(f.get(p + "feed_forward.w2.weight"), gate);
            for (size_t i = 0; i < x.size(); ++i) x[i] += down[i];
        }
    }
    bool tied = true;
    for (const Tensor& t : f.tensors) tied = tied && t.name != "output.weight";
    const Tensor& out = tied ? emb : f.get("output.weight");
    std::vector<double> logits;
    for (const Vec& x : hidden) {
        const Vec y = matvec(out, rmsnorm(x, f.get("norm.weight"), eps));
        logits.insert(logits.end(), y.begin(), y.end());
    }
    return logits;
}

double max_rel_diff(const std::vector<float>& got, const std::vector<double>& ref) {
    double sum = 0, sum_sq = 0, worst = 0;
    for (double r : ref) {
        sum += r;
        sum_sq += r * r;
    }
    const double mean = sum / static_cast<double>(ref.size());
    const double sd = std::sqrt(sum_sq / static_cast<double>(ref.size()) - mean * mean);
    for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::abs(got[i] - ref[i]) / sd);
    return worst;
}

const std::vector<int32_t> kTokens = {1, 5, 17, 33, 2, 47, 9, 9, 30, 12, 3, 41};

} // namespace

class ForwardFixture : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    std::filesystem::path model_path(bool tied) {
        const auto path =
            std::filesystem::path(dir_.path().toStdString()) / (tied ? "tied.bin" : "untied.bin");
        if (!std::filesystem::exists(path)) write_fixture(make_fixture(tied), path);
        return path;
    }

private slots:
    void matches_plain_double_implementation_data() {
        QTest::addColumn<bool>("tied");
        QTest::addColumn<double>("base");
        QTest::addColumn<double>("scale");
        QTest::newRow("default rope") << false << 10000.0 << 1.0;
        QTest::newRow("rope base 20000 scale 0.5") << false << 20000.0 << 0.5;
        QTest::newRow("tied output") << true << 10000.0 << 1.0;
    }

    void matches_plain_double_implementation() {
        QFETCH(bool, tied);
        QFETCH(double, base);
        QFETCH(double, scale);
        ModelOverrides o;
        o.rms_eps = 1e-5f;
        o.rope_freq_base = static_cast<float>(base);
        o.rope_freq_scale = static_cast<float>(scale);
        LlamaModelOptions options;
        options.n_ctx = 32;
        options.kv_type = BlockType::F32;
        auto model = load_llama_model(model_path(tied), o, kHead / kHeadKv, options);
        QCOMPARE(model->desc().n_head_kv, kHeadKv);
        const std::vector<float> got = model->forward(Batch{kTokens, 0, true});
        const std::vector<double> ref = reference_logits(make_fixture(tied), kTokens, 1e-5, base, scale);
        QCOMPARE(got.size(), ref.size());
        const double diff = max_rel_diff(got, ref);
        qInfo("largest difference: %.3g of the logits' standard deviation", diff);
        QVERIFY(diff < 1e-4);
        // A wrong RoPE setting or head mapping is far outside that bound: the check can fail.
        const std::vector<double> wrong =
            reference_logits(make_fixture(tied), kTokens, 1e-5, base * 2, scale);
        QVERIFY(max_rel_diff(got, wrong) > 1e-2);
    }

    // Dynamic NTK: past n_ctx_train the base becomes base * (f * n_ctx / n_ctx_train - (f - 1))^(d / (d -
    // 2)).
    void dynamic_ntk_stretches_the_base() {
        ModelOverrides o;
        o.rope_scaling = RopeScaling::Dynamic;
        o.rope_freq_scale = 0.5f; // factor 2
        o.n_ctx_train = 8;
        LlamaModelOptions options;
        options.n_ctx = 16;
        options.kv_type = BlockType::F32;
        auto model = load_llama_model(model_path(false), o, kHead / kHeadKv, options);
        const std::vector<float> got = model->forward(Batch{kTokens, 0, true});
        const double base = 10000.0 * std::pow(2.0 * 16 / 8 - 1.0, 16.0 / 14.0);
        const std::vector<double> ref = reference_logits(make_fixture(false), kTokens, 1e-5, base, 1.0);
        QVERIFY(max_rel_diff(got, ref) < 1e-4);
        // Within the training context nothing changes.
        options.n_ctx = 8;
        auto short_model = load_llama_model(model_path(false), o, kHead / kHeadKv, options);
        const std::vector<int32_t> eight(kTokens.begin(), kTokens.begin() + 8);
        const std::vector<double> plain = reference_logits(make_fixture(false), eight, 1e-5, 10000.0, 1.0);
        QVERIFY(max_rel_diff(short_model->forward(Batch{eight, 0, true}), plain) < 1e-4);
    }

    // One batch and token-by-token decoding give the same logits, with either KV cache type.
    void batch_equals_token_by_token() {
        for (BlockType kv : {BlockType::F32, BlockType::F16}) {
            LlamaModelOptions options;
            options.n_ctx = 32;
            options.kv_type = kv;
            auto batch_model = load_llama_model(model_path(false), {}, kHead / kHeadKv, options);
            auto step_model = load_llama_model(model_path(false), {}, kHead / kHeadKv, options);
            const std::vector<float> all = batch_model->forward(Batch{kTokens, 0, true});
            for (size_t t = 0; t < kTokens.size(); ++t) {
                const std::vector<float> one = step_model->forward(
                    Batch{std::span(kTokens).subspan(t, 1), static_cast<int64_t>(t), false});
                for (int64_t v = 0; v < kVocab; ++v)
                    QVERIFY(std::abs(one[static_cast<size_t>(v)] - all[t * kVocab + static_cast<size_t>(v)]) <
                            1e-4f);
            }
            // The last-position-only result is the last row of the all-positions one.
            const std::vector<float> last = batch_model->forward(Batch{kTokens, 0, false});
            for (int64_t v = 0; v < kVocab; ++v)
                QCOMPARE(last[static_cast<size_t>(v)],
                         all[(kTokens.size() - 1) * kVocab + static_cast<size_t>(v)]);
        }
    }

    void bad_input_is_refused() {
        LlamaModelOptions options;
        options.n_ctx = 4;
        auto model = load_llama_model(model_path(false), {}, kHead / kHeadKv, options);
        const std::vector<int32_t> out_of_vocab = {1, kVocab};
        QVERIFY_THROWS_EXCEPTION(fireside::Error, model->forward(Batch{out_of_vocab, 0, true}));
        QVERIFY_THROWS_EXCEPTION(fireside::Error,
                                 model->forward(Batch{kTokens, 0, true})); // longer than the context
        QVERIFY_THROWS_EXCEPTION(fireside::Error,
                                 load_llama_model(model_path(false), {}, 3, options)); // gqa 3 of 4 heads
    }
};

QTEST_GUILESS_MAIN(ForwardFixture)
#include "test_forward_fixture.moc"
