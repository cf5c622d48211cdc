// The writers against the files in ../shared: converting the three ggjt files that have GGUF twins gives
// the twins' tensor bytes and metadata, and quantizing synth-e512-gqa2.f16.bin to every mix gives the
// shipped files' tensor types with an error no larger than llama.cpp's quantizer made.
#include "engine/format/convert.h"
#include "engine/format/gguf_metadata.h"
#include "engine/format/model_file.h"
#include "engine/format/tensor_names.h"
#include "engine/quant/quant_mix.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

using namespace fireside;
namespace fs = std::filesystem;

namespace {

std::vector<float> dequantize(const TensorInfo& t) {
    std::vector<float> out(static_cast<size_t>(t.n_elements()));
    const size_t stride = row_bytes(t.type, t.ne[0]);
    for (int64_t r = 0; r < t.n_rows(); ++r)
        block_traits(t.type).dequantize_row(t.data + r * stride, out.data() + r * t.ne[0], t.ne[0]);
    return out;
}

double rmse(const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(sum / double(a.size()));
}

} // namespace

class TestWritersShared : public QObject {
    Q_OBJECT

private slots:
    void convert_reproduces_the_shipped_gguf_files_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("context");
        QTest::newRow("stories q8_0") << "stories260K-ff192.q8_0" << qint64(512);
        QTest::newRow("synth q4_K_M") << "synth-e512-gqa2.q4_K_M" << qint64(2048);
        QTest::newRow("synth q6_K") << "synth-e512-gqa2.q6_K" << qint64(2048);
    }

    void convert_reproduces_the_shipped_gguf_files() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, name);
        QFETCH(qint64, context);
        QTemporaryDir dir;
        const fs::path out = fs::path(dir.path().toStdString()) / "converted.gguf";
        ModelFile bin = open_model_file(test::shared_path("models/" + name.toStdString() + ".bin"));
        ModelFile shipped = open_model_file(test::shared_path("models/gguf/" + name.toStdString() + ".gguf"));
        ConvertOptions options;
        options.overrides.n_ctx_train = context; // ggjt files do not store it; the twins were made with -c
        convert_to_gguf(bin, out, options);
        ModelFile ours = open_model_file(out);

        QCOMPARE(ours.tensors.size(), shipped.tensors.size());
        for (size_t i = 0; i < ours.tensors.size(); ++i) {
            const TensorInfo& a = ours.tensors[i];
            const TensorInfo& b = shipped.tensors[i];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.type, b.type);
            QCOMPARE(a.ne, b.ne);
            QCOMPARE(a.n_bytes, b.n_bytes);
            QVERIFY2(std::memcmp(a.data, b.data, a.n_bytes) == 0, a.name.c_str());
        }
        for (const char* key :
             {"llama.attention.head_count_kv", "llama.attention.head_count", "llama.block_count",
              "llama.context_length", "llama.embedding_length", "llama.feed_forward_length",
              "llama.rope.dimension_count", "general.file_type", "tokenizer.ggml.bos_token_id",
              "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id"})
            QVERIFY2(gguf_uint(ours, key) == gguf_uint(shipped, key), key);
        QCOMPARE(gguf_float(ours, "llama.attention.layer_norm_rms_epsilon"),
                 gguf_float(shipped, "llama.attention.layer_norm_rms_epsilon"));
        QCOMPARE(gguf_string(ours, "general.name"), gguf_string(shipped, "general.name"));
        QCOMPARE(gguf_string(ours, "tokenizer.ggml.model"), gguf_string(shipped, "tokenizer.ggml.model"));
        // The vocabulary as GGUF stores it: tokens, scores and token types all as the reference converter
        // wrote.
        QCOMPARE(*gguf_array<std::string>(ours, "tokenizer.ggml.tokens"),
                 *gguf_array<std::string>(shipped, "tokenizer.ggml.tokens"));
        QCOMPARE(*gguf_array<double>(ours, "tokenizer.ggml.scores"),
                 *gguf_array<double>(shipped, "tokenizer.ggml.scores"));
        QCOMPARE(*gguf_array<int64_t>(ours, "tokenizer.ggml.token_type"),
                 *gguf_array<int64_t>(shipped, "tokenizer.ggml.token_type"));
    }

    void quantize_matches_the_reference_files_data() {
        QTest::addColumn<QString>("mix_name");
        for (const char* mix : {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_K", "q3_K_S", "q3_K_M", "q3_K_L",
                                "q4_K_S", "q4_K_M", "q5_K_S", "q5_K_M", "q6_K"})
            QTest::newRow(mix) << QString(mix);
    }

    // llama.cpp quantized the f32 master; we start from the f16 file (the master rounded), and compare
    // both against the f16 values: per tensor our error may exceed the reference's by at most 5%.
    void quantize_matches_the_reference_files() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, mix_name);
        QTemporaryDir dir;
        const fs::path out = fs::path(dir.path().toStdString()) / "q.bin";
        ModelFile f16 = open_model_file(test::shared_path("models/synth-e512-gqa2.f16.bin"));
        ModelFile shipped =
            open_model_file(test::shared_path("models/synth-e512-gqa2." + mix_name.toStdString() + ".bin"));
        quantize_model(f16, out, require_quant_mix(mix_name.toStdString()), {Container::Ggjt, 2, {}, {}});
        ModelFile ours = open_model_file(out);
        QCOMPARE(ours.ggjt.ftype, shipped.ggjt.ftype);
        QCOMPARE(ours.ggjt.n_mult, shipped.ggjt.n_mult);
        QCOMPARE(ours.vocab.text, shipped.vocab.text);
        QCOMPARE(ours.tensors.size(), shipped.tensors.size());
        double worst_ratio = 0;
        for (size_t i = 0; i < ours.tensors.size(); ++i) {
            const TensorInfo& a = ours.tensors[i];
            const TensorInfo& b = shipped.tensors[i];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.type, b.type);
            QCOMPARE(a.ne, b.ne);
            if (a.type == BlockType::F32) {
                QVERIFY(std::memcmp(a.data, b.data, a.n_bytes) == 0);
                continue;
            }
            std::vector<float> source = dequantize(f16.tensors[i]);
            const double ours_err = rmse(dequantize(a), source);
            const double ref_err = rmse(dequantize(b), source);
            worst_ratio = std::max(worst_ratio, ours_err / ref_err);
            QVERIFY2(ours_err <= ref_err * 1.05, qPrintable(QString::fromStdString(fmt::format(
                                                     "{} ({}): rmse {:.6g} vs reference {:.6g}", a.name,
                                                     block_traits(a.type).name, ours_err, ref_err))));
        }
        qInfo("%s: worst per-tensor rmse ratio (ours / reference) %.4f", qPrintable(mix_name), worst_ratio);
    }
};

QTEST_GUILESS_MAIN(TestWritersShared)
#include "test_writers_shared.moc"
