// The CPU forward pass against llama.cpp's reference logits and greedy continuations in ../shared.
#include "engine/model/load_llama_model.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <cmath>

using namespace fireside;

namespace {

struct Metrics {
    double rms_ratio = 0, max_abs_diff = 0, mean_kl = 0, top1_agreement = 0;
    int margin_violations = 0;
    double largest_disagreeing_margin = 0; // the reference's top-1 lead where the argmax differs
};

std::vector<int32_t> ids_of(const QJsonArray& array) {
    std::vector<int32_t> ids;
    for (const QJsonValue& v : array) ids.push_back(v.toInt());
    return ids;
}

// The five comparisons of reference/tolerance.json over [n_pos][n_vocab] logits.
Metrics compare(const std::vector<float>& test, const std::vector<float>& ref, int64_t n_vocab,
                double margin) {
    Metrics m;
    const auto n_pos = static_cast<int64_t>(ref.size()) / n_vocab;
    double sum = 0, sum_sq = 0, diff_sq = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        sum += ref[i];
        sum_sq += static_cast<double>(ref[i]) * ref[i];
        const double d = static_cast<double>(test[i]) - ref[i];
        diff_sq += d * d;
        m.max_abs_diff = std::max(m.max_abs_diff, std::abs(d));
    }
    const double count = static_cast<double>(ref.size());
    const double mean = sum / count;
    m.rms_ratio = std::sqrt(diff_sq / count) / std::sqrt(sum_sq / count - mean * mean);
    int agree = 0;
    for (int64_t p = 0; p < n_pos; ++p) {
        const float* r = ref.data() + p * n_vocab;
        const float* t = test.data() + p * n_vocab;
        const double r_max = *std::max_element(r, r + n_vocab), t_max = *std::max_element(t, t + n_vocab);
        double r_sum = 0, t_sum = 0;
        for (int64_t v = 0; v < n_vocab; ++v) {
            r_sum += std::exp(r[v] - r_max);
            t_sum += std::exp(t[v] - t_max);
        }
        const double r_log = r_max + std::log(r_sum), t_log = t_max + std::log(t_sum);
        double kl = 0;
        for (int64_t v = 0; v < n_vocab; ++v) {
            const double lp = r[v] - r_log, lq = t[v] - t_log;
            kl += std::exp(lp) * (lp - lq);
        }
        m.mean_kl += kl / static_cast<double>(n_pos);
        const auto r_top = std::max_element(r, r + n_vocab) - r;
        const auto t_top = std::max_element(t, t + n_vocab) - t;
        double runner_up = -INFINITY;
        for (int64_t v = 0; v < n_vocab; ++v)
            if (v != r_top) runner_up = std::max(runner_up, static_cast<double>(r[v]));
        if (r_top == t_top) {
            ++agree;
        } else {
            m.largest_disagreeing_margin = std::max(m.largest_disagreeing_margin, r[r_top] - runner_up);
            if (r[r_top] - runner_up > margin) ++m.margin_violations;
        }
    }
    m.top1_agreement = static_cast<double>(agree) / static_cast<double>(n_pos);
    return m;
}

std::filesystem::path logits_dir() {
    return test::shared_path("reference/logits");
}

} // namespace

class ForwardReference : public QObject {
    Q_OBJECT

private slots:
    void every_reference_case_data() {
        QTest::addColumn<int>("index");
        if (!test::have_shared()) {
            QTest::newRow("no shared data") << -1;
            return;
        }
        const QJsonArray cases = test::read_json(logits_dir() / "index.json").object()["cases"].toArray();
        for (int i = 0; i < cases.size(); ++i)
            QTest::newRow(qPrintable(cases[i].toObject()["prefix"].toString())) << i;
    }

    void every_reference_case() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(int, index);
        const QJsonObject c =
            test::read_json(logits_dir() / "index.json").object()["cases"].toArray()[index].toObject();
        const std::string prefix = c["prefix"].toString().toStdString();
        const std::string model_name = c["model"].toString().toStdString();
        const QJsonObject thresholds = test::read_json(test::shared_path("reference/tolerance.json"))
                                           .object()["by_model"]
                                           .toObject()[QString::fromStdString(model_name)]
                                           .toObject()["thresholds"]
                                           .toObject();
        QVERIFY2(!thresholds.isEmpty(), model_name.c_str());

        ModelOverrides overrides;
        overrides.rms_eps = static_cast<float>(c["rms_eps"].toDouble());
        overrides.rope_freq_base = static_cast<float>(c["rope_freq_base"].toDouble());
        overrides.rope_freq_scale = static_cast<float>(c["rope_freq_scale"].toDouble());
        const std::vector<int32_t> tokens =
            ids_of(test::read_json(logits_dir() / (prefix + ".tokens.json")).array());
        LlamaModelOptions options;
        options.n_ctx = static_cast<int64_t>(tokens.size());
        auto model =
            load_llama_model(test::shared_path("models/" + model_name), overrides, c["gqa"].toInt(), options);
        const int64_t n_vocab = model->desc().n_vocab;
        QCOMPARE(n_vocab, c["n_vocab"].toInteger());

        const std::vector<float> logits = model->forward(Batch{tokens, 0, true});
        const std::vector<float> ref = test::read_f32(logits_dir() / (prefix + ".logits.f32"));
        QCOMPARE(logits.size(), ref.size());

        const Metrics m =
            compare(logits, ref, n_vocab, thresholds["top1_must_agree_where_ref_margin_above"].toDouble());
        qInfo("%s: rms_ratio %.3g (max %.3g)  max_abs %.3g (max %.3g)  mean_kl %.3g (max %.3g)  top1 %.4f "
              "(min %.4f)  "
              "margin violations %d (largest disagreeing margin %.3g)",
              prefix.c_str(), m.rms_ratio, thresholds["rms_ratio_max"].toDouble(), m.max_abs_diff,
              thresholds["max_abs_diff_max"].toDouble(), m.mean_kl, thresholds["mean_kl_max"].toDouble(),
              m.top1_agreement, thresholds["top1_agreement_min"].toDouble(), m.margin_violations,
              m.largest_disagreeing_margin);
        QVERIFY(m.rms_ratio <= thresholds["rms_ratio_max"].toDouble());
        QVERIFY(m.max_abs_diff <= thresholds["max_abs_diff_max"].toDouble());
        QVERIFY(m.mean_kl <= thresholds["mean_kl_max"].toDouble());
        QVERIFY(m.top1_agreement >= thresholds["top1_agreement_min"].toDouble());
        QCOMPARE(m.margin_violations, 0);
    }

    // Greedy decoding as llama.cpp's main --temp 0: the prompt in one batch, then one token at a time.
    void greedy_continuation_data() {
        QTest::addColumn<QString>("file");
        if (!test::have_shared()) {
            QTest::newRow("no shared data") << QString();
            return;
        }
        for (const QJsonValue& v : test::read_json(test::shared_path("reference/greedy/index.json")).array())
            QTest::newRow(qPrintable(v.toObject()["model"].toString())) << v.toObject()["file"].toString();
    }

    void greedy_continuation() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, file);
        const QJsonObject g =
            test::read_json(test::shared_path("reference/greedy/" + file.toStdString())).object();
        const std::vector<int32_t> prompt = ids_of(g["prompt_ids"].toArray());
        const std::vector<int32_t> expected = ids_of(g["generated_ids"].toArray());
        ModelOverrides overrides;
        overrides.rms_eps = static_cast<float>(g["rms_eps"].toDouble());
        LlamaModelOptions options;
        options.n_ctx = static_cast<int64_t>(prompt.size() + expected.size());
        auto model = load_llama_model(test::shared_path("models/" + g["model"].toString().toStdString()),
                                      overrides, g["gqa"].toInt(), options);
        std::vector<float> logits = model->forward(Batch{prompt, 0, false});
        std::vector<int32_t> generated;
        int64_t pos = static_cast<int64_t>(prompt.size());
        while (generated.size() < expected.size()) {
            const auto next =
                static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
            generated.push_back(next);
            if (next == model->file().vocab.eos) break;
            const int32_t one[] = {next};
            logits = model->forward(Batch{one, pos++, false});
        }
        size_t same = 0;
        while (same < generated.size() && same < expected.size() && generated[same] == expected[same]) ++same;
        qInfo("%s: %zu of %zu generated tokens match the reference", qPrintable(file), same, expected.size());
        // F32 weights leave no room for rounding choices: the continuation must be identical. With
        // quantized weights the 8-bit activation rounding of two engines differs in rare near-ties,
        // and a greedy continuation diverges for good after the first flipped token, so only the
        // opening is held to the reference.
        if (g["model"].toString().contains(".f32."))
            QCOMPARE(generated, expected);
        else
            QVERIFY2(same >= 16, "the opening of the greedy continuation differs from the reference");
    }
};

QTEST_GUILESS_MAIN(ForwardReference)
#include "test_forward_reference.moc"
