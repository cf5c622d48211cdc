// Whole models on the Vulkan backend: every layer (and the output) on the GPU and CPU/GPU splits,
// against the CPU forward pass on self-made synthetic files of every block type, against llama.cpp's
// reference logits in ../shared, a 70B-shaped slice (head dim 128, GQA 8), prompt batches of awkward
// sizes, the memory plan, upload progress and cancellation, the KV cache shift, the fallback to the
// CPU when the device fails, and a run under the Khronos validation layer.
#include "engine/core/error.h"
#include "engine/format/synth_model.h"
#include "engine/model/load_llama_model.h"
#include "engine/quant/quant_mix.h"
#include "engine/vulkan/gpu_memory_plan.h"
#include "engine/vulkan/instance.h"
#include "engine/vulkan/vulkan_layer_backend.h"
#include "tests/support/logit_metrics.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <numeric>
#include <random>

using namespace fireside;

namespace {

std::filesystem::path make_synth(const QTemporaryDir& dir, const std::string& mix_name, SynthShape shape,
                                 const std::string& stem = "small", uint64_t seed = 3) {
    return test::make_synth(dir.path(), mix_name, shape, stem, seed);
}

SynthShape small_shape() {
    return test::small_synth_shape();
}

std::vector<int32_t> prompt(int64_t n, int64_t n_vocab, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int32_t> id(3, static_cast<int32_t>(n_vocab) - 1);
    std::vector<int32_t> t(static_cast<size_t>(n));
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = id(rng);
    return t;
}

std::vector<float> cpu_logits(const std::filesystem::path& path, std::span<const int32_t> tokens,
                              int64_t n_ctx) {
    LlamaModelOptions options;
    options.n_ctx = n_ctx;
    options.n_threads = 2;
    auto model = load_llama_model(path, {}, std::nullopt, options);
    return model->forward(Batch{tokens, 0, true});
}

std::unique_ptr<LlamaModel> gpu_model(const std::filesystem::path& path, int64_t ngl, int64_t n_ctx,
                                      bool validation = false, int64_t max_batch = 512) {
    ModelFile file = open_model_file(path);
    ModelDesc desc = describe_model(file);
    LlamaModelOptions options;
    options.n_ctx = n_ctx;
    options.n_threads = 2;
    options.max_batch = max_batch;
    options.n_gpu_layers = ngl;
    options.gpu_validation = validation;
    return std::make_unique<LlamaModel>(std::move(file), std::move(desc), options);
}

// GPU (f32 activations) against CPU (activations quantized to 8 bits for quantized weights, as the
// reference engine does): the shared thresholds' floors, which the two engines' known differences
// stay far inside.
test::Thresholds thresholds_for(const std::string& mix) {
    if (mix == "f32" || mix == "f16") return {2e-3, 0.05, 2e-5, 1.0, 0.02};
    if (mix.find("_K") != std::string::npos)
        return {0.15, 3.2, 0.045, 0.75, 2.0}; // 256-value activation blocks
    return {0.08, 2.0, 0.015, 0.85, 0.6};
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, int64_t n_vocab,
                  const test::Thresholds& t, const std::string& what) {
    QCOMPARE(got.size(), want.size());
    const test::Metrics m = test::compare(got, want, n_vocab, t.margin);
    qInfo("%s: rms_ratio %.3g max_abs %.3g mean_kl %.3g top1 %.4f margin violations %d", what.c_str(),
          m.rms_ratio, m.max_abs_diff, m.mean_kl, m.top1_agreement, m.margin_violations);
    QVERIFY2(test::within(m, t), what.c_str());
}

const char* kMixes[] = {"f32",  "f16",  "q4_0",   "q4_1",   "q5_0",   "q5_1",
                        "q8_0", "q2_K", "q3_K_M", "q4_K_M", "q5_K_M", "q6_K"};

} // namespace

class TestVulkanForward : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void every_type_all_layers_and_a_split_data() {
        QTest::addColumn<QString>("mix");
        for (const char* m : kMixes) QTest::newRow(m) << QString(m);
    }

    // ngl -1: every layer and the output on the GPU; ngl 2: the last two of three layers, the output
    // on the CPU; ngl 3: every layer, the output on the CPU.
    void every_type_all_layers_and_a_split() {
        QFETCH(QString, mix);
        const auto path = make_synth(dir_, mix.toStdString(), small_shape());
        const auto tokens = prompt(40, small_shape().n_vocab);
        const auto want = cpu_logits(path, tokens, 64);
        for (int64_t ngl : {int64_t{-1}, int64_t{2}, int64_t{3}}) {
            auto model = gpu_model(path, ngl, 64);
            // Prefill in one batch, then two decode steps, as a session does.
            std::vector<float> got = model->forward(Batch{std::span(tokens).first(38), 0, true});
            for (size_t i = 38; i < tokens.size(); ++i) {
                auto step =
                    model->forward(Batch{std::span(tokens).subspan(i, 1), static_cast<int64_t>(i), true});
                got.insert(got.end(), step.begin(), step.end());
            }
            QVERIFY(model->gpu_failure().empty());
            expect_close(got, want, small_shape().n_vocab, thresholds_for(mix.toStdString()),
                         mix.toStdString() + " ngl " + std::to_string(ngl));
        }
    }

    // Prompt batches of any size give the logits of the CPU (which evaluates them in one batch too);
    // f32 weights, so both sides do plain float math and the comparison is tight.
    void prompt_batches_of_any_size() {
        const auto path = make_synth(dir_, "f32", small_shape());
        for (int64_t n : {1, 31, 32, 33, 130, 512}) {
            const auto tokens = prompt(n, small_shape().n_vocab, static_cast<uint32_t>(n));
            const auto want = cpu_logits(path, tokens, 512);
            auto model = gpu_model(path, -1, 512);
            expect_close(model->forward(Batch{tokens, 0, true}), want, small_shape().n_vocab,
                         thresholds_for("f32"), "batch " + std::to_string(n));
        }
    }

    // The shape of a 70B layer's attention (head dim 128, 8 query heads per KV head) at a width
    // lavapipe runs quickly.
    void seventy_b_shaped_slice() {
        SynthShape s;
        s.n_vocab = 512;
        s.n_embd = 2048;
        s.n_head = 16;
        s.n_head_kv = 2;
        s.n_layer = 2;
        s.n_ff = 1024;
        s.n_ctx = 256;
        for (const char* mix : {"f16", "q4_K_M"}) {
            const auto path = make_synth(dir_, mix, s, "slice70b");
            ModelFile file = open_model_file(path);
            const ModelDesc desc = describe_model(file);
            QCOMPARE(desc.head_dim, 128);
            QCOMPARE(desc.n_head / desc.n_head_kv, 8);
            const auto tokens = prompt(24, s.n_vocab, 70);
            const auto want = cpu_logits(path, tokens, 64);
            auto model = gpu_model(path, -1, 64);
            expect_close(model->forward(Batch{tokens, 0, true}), want, s.n_vocab, thresholds_for(mix),
                         std::string("70B-shaped ") + mix);
        }
    }

    void validation_layer_reports_nothing() {
        const auto path = make_synth(dir_, "q4_K_M", small_shape());
        const auto tokens = prompt(12, small_shape().n_vocab, 5);
        for (int64_t ngl : {int64_t{-1}, int64_t{1}}) {
            auto model = gpu_model(path, ngl, 32, true);
            model->forward(Batch{std::span(tokens).first(10), 0, false});
            model->forward(Batch{std::span(tokens).subspan(10, 1), 10, false});
            model->forward(Batch{std::span(tokens).subspan(11, 1), 11, true});
            QVERIFY(model->shift_kv(4, 12, -2)); // the KV shift's dispatches too
            model->forward(Batch{std::span(tokens).subspan(11, 1), 10, true});
            QVERIFY(model->gpu());
            QVERIFY2(model->gpu()->instance().validation_messages() == 0,
                     model->gpu()->instance().first_validation_message().c_str());
        }
    }

    // A device that fails mid-session: the error is kept, the GPU dropped, and the same logits come
    // from the CPU after it re-evaluates the cached positions.
    void device_failure_falls_back_to_the_cpu() {
        const auto path = make_synth(dir_, "q8_0", small_shape());
        const auto tokens = prompt(20, small_shape().n_vocab, 9);
        const auto want = cpu_logits(path, tokens, 32);
        auto model = gpu_model(path, -1, 32);
        std::vector<float> got = model->forward(Batch{std::span(tokens).first(16), 0, true});
        model->gpu()->fail_next_batch_for_testing();
        auto rest = model->forward(Batch{std::span(tokens).subspan(16), 16, true});
        got.insert(got.end(), rest.begin(), rest.end());
        QVERIFY(model->gpu() == nullptr);
        QVERIFY(QString::fromStdString(model->gpu_failure()).contains("VK_ERROR_DEVICE_LOST"));
        expect_close(got, want, small_shape().n_vocab, thresholds_for("q8_0"), "after a device loss");
    }

    // The GPU moves its cache as the CPU does: positions [16, 40) of a 40-token context move to
    // [6, 30) (keys re-rotated by -10), and the next 20 tokens' logits match the CPU model shifted
    // the same way, with every layer on the GPU and with a split. A GPU model that skips the shift
    // (its cache left where it was) is far off, so the comparison sees the move.
    void kv_shift_matches_the_cpu() {
        for (const char* mix : {"f32", "q4_0"}) {
            const auto path = make_synth(dir_, mix, small_shape());
            const auto tokens = prompt(60, small_shape().n_vocab, 21);
            const auto first = std::span(tokens).first(40);
            const auto next = std::span(tokens).subspan(40);
            auto cpu = gpu_model(path, 0, 64);
            cpu->forward(Batch{first, 0, false});
            QVERIFY(cpu->shift_kv(16, 40, -10));
            const auto want = cpu->forward(Batch{next, 30, true});
            for (int64_t ngl : {int64_t{-1}, int64_t{2}}) {
                auto model = gpu_model(path, ngl, 64);
                model->forward(Batch{first, 0, false});
                QVERIFY(model->shift_kv(16, 40, -10));
                const auto got = model->forward(Batch{next, 30, true});
                QVERIFY(model->gpu() && model->gpu_failure().empty());
                expect_close(got, want, small_shape().n_vocab, thresholds_for(mix),
                             std::string("shifted ") + mix + " ngl " + std::to_string(ngl));
            }
            auto unshifted = gpu_model(path, -1, 64);
            unshifted->forward(Batch{first, 0, false});
            const auto stale = unshifted->forward(Batch{next, 30, true});
            const test::Thresholds t = thresholds_for(mix);
            QVERIFY(!test::within(test::compare(stale, want, small_shape().n_vocab, t.margin), t));
        }
    }

    // A device that fails while moving its cache: shift_kv says it did not move it, the model is on
    // the CPU with the unmoved prefix rebuilt, and evaluating the kept tokens again gives the CPU's
    // logits for the shortened context.
    void device_failure_while_shifting_falls_back() {
        const auto path = make_synth(dir_, "q8_0", small_shape());
        const auto tokens = prompt(45, small_shape().n_vocab, 22);
        std::vector<int32_t> shortened(tokens.begin(), tokens.begin() + 6);
        shortened.insert(shortened.end(), tokens.begin() + 16, tokens.end());
        const auto all = cpu_logits(path, shortened, 64);
        const std::vector<float> want(all.end() - 5 * small_shape().n_vocab, all.end());

        auto model = gpu_model(path, -1, 64);
        model->forward(Batch{std::span(tokens).first(40), 0, false});
        model->gpu()->fail_next_batch_for_testing();
        QVERIFY(!model->shift_kv(16, 40, -10));
        QVERIFY(model->gpu() == nullptr);
        QVERIFY(QString::fromStdString(model->gpu_failure()).contains("VK_ERROR_DEVICE_LOST"));
        model->forward(Batch{std::span(tokens).subspan(16, 24), 6, false});
        const auto got = model->forward(Batch{std::span(tokens).subspan(40), 30, true});
        expect_close(got, want, small_shape().n_vocab, thresholds_for("q8_0"), "after a loss while shifting");
    }

    void memory_plan_names_the_largest_n_that_fits() {
        const auto path = make_synth(dir_, "q4_0", small_shape());
        ModelFile file = open_model_file(path);
        const ModelDesc desc = describe_model(file);
        const LlamaWeights weights = bind_llama_weights(file, desc);
        const vk::GpuMemoryPlan plan = vk::plan_gpu_memory(desc, weights, 1024, 512, BlockType::F16);
        for (int64_t n = 1; n <= desc.n_layer + 1; ++n) QVERIFY(plan.bytes_for(n) > plan.bytes_for(n - 1));
        QCOMPARE(plan.max_layers_within(plan.bytes_for(2)), int64_t{2});
        QCOMPARE(plan.max_layers_within(plan.bytes_for(2) - 1), int64_t{1});
        QCOMPARE(plan.max_layers_within(plan.bytes_for(desc.n_layer + 1)), desc.n_layer + 1);
        vk::DeviceInfo small;
        small.name = "tiny GPU";
        small.budget_bytes = plan.bytes_for(2) + 100;
        vk::check_fits(plan, 2, small);
        try {
            vk::check_fits(plan, 4, small);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("tiny GPU") && msg.contains("at most 2 GPU layers") &&
                         msg.contains("--ngl 2"),
                     e.what());
        }
    }

    void upload_reports_progress_and_can_be_cancelled() {
        const auto path = make_synth(dir_, "q6_K", small_shape());
        ModelFile file = open_model_file(path);
        const ModelDesc desc = describe_model(file);
        const LlamaWeights weights = bind_llama_weights(file, desc);
        uint64_t last = 0, total = 0;
        int calls = 0;
        vk::VulkanBackendOptions options;
        options.progress = [&](uint64_t done, uint64_t all) {
            last = done;
            total = all;
            ++calls;
            return true;
        };
        vk::VulkanLayerBackend backend(desc, weights, desc.n_layer + 1, 64, options);
        QVERIFY(calls >= 1);
        QCOMPARE(last, total);
        QVERIFY(total > 0);
        options.progress = [](uint64_t, uint64_t) { return false; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, vk::VulkanLayerBackend(desc, weights, 2, 64, options));
    }

    void shared_reference_logits_data() {
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("ngl");
        if (!test::have_shared()) {
            QTest::newRow("no shared data") << -1 << 0;
            return;
        }
        const QJsonArray cases =
            test::read_json(test::shared_path("reference/logits/index.json")).object()["cases"].toArray();
        for (int i = 0; i < cases.size(); ++i) {
            const QString prefix = cases[i].toObject()["prefix"].toString();
            QTest::newRow(qPrintable(prefix + " ngl -1")) << i << -1;
            QTest::newRow(qPrintable(prefix + " ngl 1")) << i << 1;
        }
    }

    void shared_reference_logits() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(int, index);
        QFETCH(int, ngl);
        const auto dir = test::shared_path("reference/logits");
        const QJsonObject c =
            test::read_json(dir / "index.json").object()["cases"].toArray()[index].toObject();
        const std::string prefix = c["prefix"].toString().toStdString();
        const std::string model_name = c["model"].toString().toStdString();
        const QJsonObject th = test::read_json(test::shared_path("reference/tolerance.json"))
                                   .object()["by_model"]
                                   .toObject()[QString::fromStdString(model_name)]
                                   .toObject()["thresholds"]
                                   .toObject();
        QVERIFY(!th.isEmpty());
        std::vector<int32_t> tokens;
        for (const QJsonValue& v : test::read_json(dir / (prefix + ".tokens.json")).array())
            tokens.push_back(v.toInt());

        ModelFile file = open_model_file(test::shared_path("models/" + model_name));
        ModelOverrides overrides;
        overrides.rms_eps = static_cast<float>(c["rms_eps"].toDouble());
        overrides.rope_freq_base = static_cast<float>(c["rope_freq_base"].toDouble());
        overrides.rope_freq_scale = static_cast<float>(c["rope_freq_scale"].toDouble());
        overrides.n_head_kv = describe_model(file).n_head / c["gqa"].toInt();
        ModelDesc desc = describe_model(file, overrides);
        LlamaModelOptions options;
        options.n_ctx = static_cast<int64_t>(tokens.size());
        options.n_threads = 2;
        options.n_gpu_layers = ngl;
        LlamaModel model(std::move(file), std::move(desc), options);
        const auto logits = model.forward(Batch{tokens, 0, true});
        const auto ref = test::read_f32(dir / (prefix + ".logits.f32"));
        const test::Thresholds t{th["rms_ratio_max"].toDouble(), th["max_abs_diff_max"].toDouble(),
                                 th["mean_kl_max"].toDouble(), th["top1_agreement_min"].toDouble(),
                                 th["top1_must_agree_where_ref_margin_above"].toDouble()};
        expect_close(logits, ref, model.desc().n_vocab, t, prefix + " ngl " + std::to_string(ngl));
    }
};

QTEST_GUILESS_MAIN(TestVulkanForward)
#include "test_vulkan_forward.moc"
