// Weights packed for the CPU kernels (LlamaModelOptions::pack_weights) against the same model read
// from the file's mapping: the same logits for a prompt batch and for one-token steps, on synthetic
// files of every format with a packed kernel (the k-quant mixes also hold q6_K).
#include "engine/cpu/dot_kernels.h"
#include "engine/format/synth_model.h"
#include "engine/model/llama_model.h"
#include "engine/model/load_llama_model.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <random>

using namespace fireside;

namespace {

SynthShape small_shape() {
    return test::small_synth_shape(2);
}

std::filesystem::path make_synth(const QTemporaryDir& dir, const std::string& mix) {
    return test::make_synth(dir.path(), mix, small_shape(), "small", 5);
}

// Packed kernels sum in another order than the row-major ones: a last-bit difference that moves a
// value across an f16 (KV cache) or 8-bit (activation) rounding step grows through the layers of a
// random-weight model to a few hundredths of the logits' spread (q4_1: 0.047), where a kernel that
// decodes a code or scale wrongly is off by the spread itself. Kernel outputs themselves are checked
// against the scalar reference in test_cpu_kernels.
constexpr double kTolerance = 0.1;

// Largest difference over the logits' standard deviation.
double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
    double mean = 0, var = 0, diff = 0;
    for (float v : b) mean += v;
    mean /= static_cast<double>(b.size());
    for (float v : b) var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / static_cast<double>(b.size()));
    for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    return diff / sd;
}

} // namespace

class PackedWeightsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void packed_model_gives_the_mapped_models_logits_data() {
        QTest::addColumn<QString>("mix");
        QTest::addColumn<int>("packed_type");
        QTest::newRow("q4_0") << "q4_0" << static_cast<int>(BlockType::Q4_0);
        QTest::newRow("q4_K_M") << "q4_K_M" << static_cast<int>(BlockType::Q4_K);
        QTest::newRow("q5_K_M") << "q5_K_M" << static_cast<int>(BlockType::Q5_K);
        QTest::newRow("q4_1") << "q4_1" << static_cast<int>(BlockType::Q4_1);
        QTest::newRow("q5_0") << "q5_0" << static_cast<int>(BlockType::Q5_0);
        QTest::newRow("q5_1") << "q5_1" << static_cast<int>(BlockType::Q5_1);
        QTest::newRow("q8_0") << "q8_0" << static_cast<int>(BlockType::Q8_0);
        QTest::newRow("q2_K") << "q2_K" << static_cast<int>(BlockType::Q2_K);
        QTest::newRow("q3_K_M") << "q3_K_M" << static_cast<int>(BlockType::Q3_K);
    }

    void packed_model_gives_the_mapped_models_logits() {
        QFETCH(QString, mix);
        QFETCH(int, packed_type);
        if (!best_dot_kernel(static_cast<BlockType>(packed_type)).packed)
            QSKIP("this machine has no packed kernel for the format");
        const auto path = make_synth(dir_, mix.toStdString());
        LlamaModelOptions options;
        options.n_ctx = 64;
        options.n_threads = 2;
        auto packed = load_llama_model(path, {}, std::nullopt, options);
        options.pack_weights = false;
        auto mapped = load_llama_model(path, {}, std::nullopt, options);
        QVERIFY(packed->weights_packed());
        QVERIFY(!mapped->weights_packed());
        // The packed copy holds the CPU's weights, in as many bytes as the file.
        QVERIFY(packed->cpu_weight_memory().data() != mapped->cpu_weight_memory().data());
        QVERIFY(packed->cpu_weight_memory().size() >= packed->weight_bytes_per_token() / 2);

        std::mt19937 rng(9);
        std::uniform_int_distribution<int32_t> id(3, static_cast<int32_t>(small_shape().n_vocab) - 1);
        std::vector<int32_t> tokens(24);
        for (int32_t& t : tokens) t = id(rng);
        // A prompt batch, then one-token steps (the packed kernels serve both).
        const std::vector<float> a = packed->forward(Batch{tokens, 0, true});
        const std::vector<float> b = mapped->forward(Batch{tokens, 0, true});
        QCOMPARE(a.size(), b.size());
        const double batch_diff = relative_difference(a, b);
        qInfo("prompt batch: largest difference %.3g of the logits' standard deviation", batch_diff);
        QVERIFY(batch_diff < kTolerance);
        for (int step = 0; step < 3; ++step) {
            const int32_t next[] = {id(rng)};
            const int64_t pos = static_cast<int64_t>(tokens.size()) + step;
            const double diff = relative_difference(packed->forward(Batch{next, pos, false}),
                                                    mapped->forward(Batch{next, pos, false}));
            QVERIFY2(diff < kTolerance, qPrintable(QString("step %1: %2").arg(step).arg(diff)));
        }
    }

    void unpackable_models_stay_mapped() {
        const auto path = make_synth(dir_, "f16");
        LlamaModelOptions options;
        options.n_ctx = 16;
        auto model = load_llama_model(path, {}, std::nullopt, options);
        QVERIFY(!model->weights_packed()); // f16 has no packed kernel: nothing to gain from a copy
    }
};

QTEST_GUILESS_MAIN(PackedWeightsTest)
#include "test_packed_weights.moc"
