// The CPU forward pass against llama.cpp's reference logits and greedy continuations in ../shared.
#include "engine/model/load_llama_model.h"
#include "tests/support/logit_metrics.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>
#include <algorithm>
#include <cmath>

using namespace fireside;

namespace {

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
            test::json_ids(test::read_json(logits_dir() / (prefix + ".tokens.json")).array());
        LlamaModelOptions options;
        options.n_ctx = static_cast<int64_t>(tokens.size());
        auto model =
            load_llama_model(test::shared_path("models/" + model_name), overrides, c["gqa"].toInt(), options);
        const int64_t n_vocab = model->desc().n_vocab;
        QCOMPARE(n_vocab, c["n_vocab"].toInteger());

        const std::vector<float> logits = model->forward(Batch{tokens, 0, true});
        const std::vector<float> ref = test::read_f32(logits_dir() / (prefix + ".logits.f32"));
        QCOMPARE(logits.size(), ref.size());

        const test::Metrics m = test::compare(
            logits, ref, n_vocab, thresholds["top1_must_agree_where_ref_margin_above"].toDouble());
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
    void greedy_continuation_data() { test::add_greedy_reference_rows(); }

    void greedy_continuation() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, file);
        const QJsonObject g =
            test::read_json(test::shared_path("reference/greedy/" + file.toStdString())).object();
        const std::vector<int32_t> prompt = test::json_ids(g["prompt_ids"].toArray());
        const std::vector<int32_t> expected = test::json_ids(g["generated_ids"].toArray());
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
