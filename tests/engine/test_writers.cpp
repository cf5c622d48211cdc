// The model writers on fixtures made here: synthetic models written as ggjt v3 and GGUF v3 in several
// file types and read back with the project's reader, the n_mult rule, the mix rules, quantizing and
// converting whole models, and failed writes leaving no file behind.
#include "engine/core/error.h"
#include "engine/format/convert.h"
#include "engine/format/ggjt_writer.h"
#include "engine/format/gguf_metadata.h"
#include "engine/format/gguf_writer.h"
#include "engine/format/model_file.h"
#include "engine/format/synth_model.h"
#include "engine/format/tensor_names.h"
#include "engine/model/model_desc.h"
#include "engine/quant/quant_mix.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

using namespace fireside;
namespace fs = std::filesystem;

namespace {

SynthSpec small_spec(uint64_t seed = 42) {
    SynthSpec spec;
    // Rows are multiples of 256 so every k-quant applies; n_ff 768 is what n_mult 256 gives for 256.
    spec.shape = {512, 256, 4, 2, 2, 768, 1024};
    spec.seed = seed;
    spec.name = "small";
    return spec;
}

// The stored bytes of every row of a synthetic tensor in `type`, computed directly with the block
// table (not through the writer).
std::vector<std::byte> expected_bytes(const SynthModel& model, size_t index, BlockType type) {
    const TensorToWrite& t = model.tensors()[index];
    const int64_t n_rows = t.n_rows(), n = t.ne[0];
    std::vector<float> values(static_cast<size_t>(n_rows * n));
    model.float_rows(index, 0, n_rows, values.data());
    const size_t stride = row_bytes(type, n);
    std::vector<std::byte> out(stride * static_cast<size_t>(n_rows));
    for (int64_t r = 0; r < n_rows; ++r) {
        if (type == BlockType::F32)
            std::memcpy(out.data() + r * stride, values.data() + r * n, stride);
        else
            block_traits(type).quantize_row(values.data() + r * n, out.data() + r * stride, n);
    }
    return out;
}

std::vector<float> dequantize_all(BlockType type, const std::byte* data, int64_t n_rows, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n_rows * n));
    const size_t stride = row_bytes(type, n);
    for (int64_t r = 0; r < n_rows; ++r)
        block_traits(type).dequantize_row(data + r * stride, out.data() + r * n, n);
    return out;
}

std::vector<TensorToWrite> tensors_of(const ModelFile& f) {
    std::vector<TensorToWrite> out;
    for (const TensorInfo& t : f.tensors) out.push_back({t.name, t.type, t.ne});
    return out;
}

bool same_bytes(const TensorInfo& t, std::span<const std::byte> expected) {
    return t.n_bytes == expected.size() && std::memcmp(t.data, expected.data(), expected.size()) == 0;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
    return out;
}

} // namespace

class TestWriters : public QObject {
    Q_OBJECT

private slots:
    void n_mult_reproduces_n_ff_for_real_shapes() {
        struct Case {
            int64_t n_embd, n_ff;
            uint32_t n_mult;
        };
        const Case cases[] = {
            {4096, 11008, 256},  // 7B
            {5120, 13824, 256},  // 13B
            {6656, 17920, 256},  // 30B
            {8192, 22016, 256},  // 65B
            {8192, 28672, 7168}, // 70B: 256 does not work; the smallest that does
            {2048, 5632, 256},   // TinyLlama
            {64, 172, 4},        // stories260K
            {64, 192, 24},       // stories260K-ff192
            {512, 1536, 256},    // synth-e512
            {256, 768, 256},     // synth-llama2vocab-e256
        };
        for (const Case& c : cases) {
            auto m = find_n_mult(c.n_embd, c.n_ff);
            QVERIFY2(m.has_value(), qPrintable(QString::number(c.n_ff)));
            QCOMPARE(*m, c.n_mult);
            QCOMPARE(n_ff_from_n_mult(c.n_embd, *m), c.n_ff);
        }
    }

    void n_mult_refuses_an_impossible_n_ff() {
        // floor(8 * 512 / 3) = 1365: no n_mult can give less.
        QVERIFY(!find_n_mult(512, 1000).has_value());
        QVERIFY(!find_n_mult(512, 0).has_value());
        try {
            require_n_mult(512, 1000);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("n_ff 1000"));
        }
        // n_ff = floor(8 * n_embd / 3) itself: n_mult 1 is the smallest that gives it.
        QCOMPARE(*find_n_mult(512, 1365), 1u);
    }

    void n_mult_matches_the_shared_files() {
        FIRESIDE_REQUIRE_SHARED();
        for (const auto& entry : fs::directory_iterator(test::shared_path("models"))) {
            if (entry.path().extension() != ".bin") continue;
            ModelFile f = open_model_file(entry.path());
            const TensorInfo* w1 = f.find("layers.0.feed_forward.w1.weight");
            QVERIFY(w1);
            auto m = find_n_mult(f.ggjt.n_embd, w1->ne[1]);
            QVERIFY(m.has_value());
            QCOMPARE(*m, f.ggjt.n_mult);
        }
    }

    void synth_round_trips_in_every_container_and_type_data() {
        QTest::addColumn<QString>("mix_name");
        QTest::addColumn<bool>("gguf");
        for (const char* mix :
             {"f32", "f16", "q8_0", "q4_0", "q4_1", "q5_1", "q2_K", "q3_K_M", "q4_K_M", "q6_K"})
            for (bool gguf : {false, true})
                QTest::newRow(qPrintable(QString("%1 %2").arg(mix, gguf ? "gguf" : "ggjt")))
                    << QString(mix) << gguf;
    }

    void synth_round_trips_in_every_container_and_type() {
        QFETCH(QString, mix_name);
        QFETCH(bool, gguf);
        QTemporaryDir dir;
        const QuantMix& mix = require_quant_mix(mix_name.toStdString());
        SynthModel model(small_spec());
        fs::path path = fs::path(dir.path().toStdString()) / (gguf ? "m.gguf" : "m.bin");
        write_synth_model(path, model, mix, {gguf ? Container::Gguf : Container::Ggjt, 2, {}});

        ModelFile f = open_model_file(path);
        QCOMPARE(f.container, gguf ? Container::Gguf : Container::Ggjt);
        QCOMPARE(f.version, 3u);
        QCOMPARE(f.file_bytes, static_cast<uint64_t>(fs::file_size(path)));
        if (gguf) {
            QCOMPARE(gguf_string(f, "general.architecture").value(), std::string("llama"));
            QCOMPARE(gguf_string(f, "general.name").value(), std::string("small"));
            QCOMPARE(gguf_uint(f, "general.file_type").value(), uint64_t{mix.ftype});
            QCOMPARE(gguf_uint(f, "general.alignment").value(), uint64_t{32});
            QCOMPARE(gguf_uint(f, "llama.context_length").value(), uint64_t{1024});
            QCOMPARE(gguf_uint(f, "llama.embedding_length").value(), uint64_t{256});
            QCOMPARE(gguf_uint(f, "llama.block_count").value(), uint64_t{2});
            QCOMPARE(gguf_uint(f, "llama.feed_forward_length").value(), uint64_t{768});
            QCOMPARE(gguf_uint(f, "llama.rope.dimension_count").value(), uint64_t{64});
            QCOMPARE(gguf_uint(f, "llama.attention.head_count").value(), uint64_t{4});
            QCOMPARE(gguf_uint(f, "llama.attention.head_count_kv").value(), uint64_t{2});
            QCOMPARE(static_cast<float>(gguf_float(f, "llama.attention.layer_norm_rms_epsilon").value()),
                     1e-5f);
            QCOMPARE(gguf_float(f, "llama.rope.freq_base").value(), 10000.0);
            QVERIFY(!f.metadata.contains("llama.rope.scale_linear"));
            QCOMPARE(gguf_string(f, "tokenizer.ggml.model").value(), std::string("llama"));
            QCOMPARE(gguf_uint(f, "tokenizer.ggml.bos_token_id").value(), uint64_t{1});
            QCOMPARE(gguf_uint(f, "tokenizer.ggml.eos_token_id").value(), uint64_t{2});
            QCOMPARE(gguf_uint(f, "tokenizer.ggml.unknown_token_id").value(), uint64_t{0});
            const auto* tokens = gguf_array<std::string>(f, "tokenizer.ggml.tokens");
            const auto* types = gguf_array<int64_t>(f, "tokenizer.ggml.token_type");
            QVERIFY(tokens && types);
            QCOMPARE(tokens->size(), size_t{512});
            QCOMPARE((*tokens)[0], std::string("<unk>"));
            QCOMPARE((*tokens)[1], std::string("<s>"));
            QCOMPARE((*tokens)[2], std::string("</s>"));
            QCOMPARE((*tokens)[3], std::string("<0x00>"));
            QCOMPARE((*tokens)[3 + 0x0A], std::string("<0x0A>"));
            QCOMPARE((*tokens)[258], std::string("<0xFF>"));
            QCOMPARE((*tokens)[259], std::string("\xE2\x96\x81"
                                                 "a")); // " a": the space becomes U+2581
            QCOMPARE((*types)[0], int64_t{2});
            QCOMPARE((*types)[1], int64_t{3});
            QCOMPARE((*types)[3], int64_t{6});
            QCOMPARE((*types)[259], int64_t{1});
        } else {
            QCOMPARE(f.ggjt.n_vocab, 512u);
            QCOMPARE(f.ggjt.n_embd, 256u);
            QCOMPARE(f.ggjt.n_mult, 256u);
            QCOMPARE(f.ggjt.n_head, 4u);
            QCOMPARE(f.ggjt.n_layer, 2u);
            QCOMPARE(f.ggjt.n_rot, 64u);
            QCOMPARE(f.ggjt.ftype, mix.ftype);
        }
        // The reader brings both containers' vocabularies to one convention: what was written comes back.
        QCOMPARE(f.vocab.size(), model.vocab().size());
        for (size_t i = 0; i < f.vocab.size(); ++i) {
            QVERIFY2(f.vocab.text[i] == model.vocab().text[i],
                     qPrintable(QString("token %1: '%2' vs '%3'")
                                    .arg(i)
                                    .arg(QString::fromStdString(f.vocab.text[i]),
                                         QString::fromStdString(model.vocab().text[i]))));
            QCOMPARE(f.vocab.score[i], model.vocab().score[i]);
            QCOMPARE(f.vocab.kind[i], model.vocab().kind[i]);
        }

        ModelDesc d = describe_model(f);
        QCOMPARE(d.n_head_kv, int64_t{2});
        QCOMPARE(d.n_ff, int64_t{768});
        QCOMPARE(d.ftype, mix.ftype);

        QCOMPARE(f.tensors.size(), model.tensors().size());
        std::vector<TensorToWrite> planned = model.tensors();
        assign_mix_types(mix, planned);
        for (size_t i = 0; i < f.tensors.size(); ++i) {
            const TensorInfo& t = f.tensors[i];
            const TensorToWrite& want = planned[i];
            QCOMPARE(t.name, gguf ? to_gguf_name(want.name) : want.name);
            QCOMPARE(t.ne, want.ne);
            QCOMPARE(t.type, want.type);
            QCOMPARE(t.offset % 32, uint64_t{0});
            std::vector<std::byte> expected = expected_bytes(model, i, want.type);
            QVERIFY2(same_bytes(t, expected), t.name.c_str());
            // And dequantized: exactly dequant(quant(x)) of the generator's values (x itself for f32).
            std::vector<float> got = dequantize_all(t.type, t.data, t.n_rows(), t.ne[0]);
            std::vector<float> want_values = dequantize_all(t.type, expected.data(), t.n_rows(), t.ne[0]);
            QVERIFY(std::memcmp(got.data(), want_values.data(), got.size() * sizeof(float)) == 0);
        }
    }

    void synth_values_have_the_requested_spread() {
        SynthSpec spec = small_spec(7);
        SynthModel model(spec);
        auto stats = [&](const std::string& name) {
            for (size_t i = 0; i < model.tensors().size(); ++i) {
                const TensorToWrite& t = model.tensors()[i];
                if (t.name != name) continue;
                std::vector<float> v(static_cast<size_t>(t.n_rows() * t.ne[0]));
                model.float_rows(i, 0, t.n_rows(), v.data());
                double sum = 0, sq = 0;
                for (float x : v) sum += x, sq += double(x) * x;
                double mean = sum / double(v.size());
                return std::pair{mean, std::sqrt(sq / double(v.size()) - mean * mean)};
            }
            return std::pair{0.0, 0.0};
        };
        const double width = std::sqrt(512.0 / 256.0);
        auto [wq_mean, wq_std] = stats("layers.0.attention.wq.weight");
        QVERIFY(std::abs(wq_mean) < 0.002);
        QVERIFY(std::abs(wq_std - 0.05 * width) < 0.002);
        auto [out_mean, out_std] = stats("output.weight");
        QVERIFY(std::abs(out_std - 0.2 * width) < 0.005);
        auto [emb_mean, emb_std] = stats("tok_embeddings.weight");
        QVERIFY(std::abs(emb_std - 0.02) < 0.001);
        auto [norm_mean, norm_std] = stats("norm.weight");
        QVERIFY(std::abs(norm_mean - 1.0) < 0.03);
        QVERIFY(std::abs(norm_std - 0.1) < 0.03);

        // Rows depend only on (seed, tensor, row): one row alone equals the same row in a block.
        std::vector<float> block(3 * 256), alone(256);
        model.float_rows(3, 10, 3, block.data());
        model.float_rows(3, 11, 1, alone.data());
        QVERIFY(std::memcmp(block.data() + 256, alone.data(), 256 * sizeof(float)) == 0);
        // Another seed gives other values.
        SynthModel other(small_spec(8));
        other.float_rows(3, 11, 1, block.data());
        QVERIFY(std::memcmp(block.data(), alone.data(), 256 * sizeof(float)) != 0);
    }

    void named_shapes_describe_the_real_models() {
        struct Case {
            const char* name;
            int64_t n_embd, n_head, n_head_kv, n_layer, n_ff, n_vocab;
        };
        const Case cases[] = {{"7b", 4096, 32, 32, 32, 11008, 32000},
                              {"13B", 5120, 40, 40, 40, 13824, 32000},
                              {"70b", 8192, 64, 8, 80, 28672, 32000},
                              {"tinyllama", 2048, 32, 4, 22, 5632, 32000},
                              {"stories260k", 64, 8, 4, 5, 172, 512}};
        for (const Case& c : cases) {
            auto shape = synth_shape_preset(c.name);
            QVERIFY2(shape.has_value(), c.name);
            SynthSpec spec;
            spec.shape = *shape;
            SynthModel model(spec); // describes the tensors; nothing is generated until rows are asked for
            const auto& t = model.tensors();
            QCOMPARE(t.size(), size_t(3 + 9 * c.n_layer));
            QCOMPARE(t[0].ne, (std::vector<int64_t>{c.n_embd, c.n_vocab}));
            QCOMPARE(t[4].name, std::string("layers.0.attention.wk.weight"));
            QCOMPARE(t[4].ne, (std::vector<int64_t>{c.n_embd, c.n_embd / c.n_head * c.n_head_kv}));
            QCOMPARE(t[9].ne, (std::vector<int64_t>{c.n_ff, c.n_embd}));
            QCOMPARE(model.hparams(require_quant_mix("q4_0")).n_rot, c.n_embd / c.n_head);
            QVERIFY(find_n_mult(c.n_embd, c.n_ff).has_value());
        }
        QVERIFY(!synth_shape_preset("3b").has_value());
    }

    void rope_scale_and_base_are_written_to_gguf() {
        QTemporaryDir dir;
        SynthModel model(small_spec());
        LlamaHparams h = model.hparams(require_quant_mix("f32"));
        h.rope_freq_base = 20000.0f;
        h.rope_freq_scale = 0.5f;
        h.rms_eps = 1e-6f;
        fs::path path = fs::path(dir.path().toStdString()) / "rope.gguf";
        write_llama_model(path, h, model.vocab(), model.tensors(), model, {Container::Gguf, 1, {}});
        ModelFile f = open_model_file(path);
        QCOMPARE(gguf_float(f, "llama.rope.freq_base").value(), 20000.0);
        QCOMPARE(gguf_float(f, "llama.rope.scale_linear").value(), 2.0);
        QCOMPARE(gguf_float(f, "llama.rope.scaling.factor").value(), 2.0);
        ModelDesc d = describe_model(f);
        QCOMPARE(d.rope_freq_base, 20000.0f);
        QCOMPARE(d.rope_freq_scale, 0.5f);
        QCOMPARE(d.rms_eps, 1e-6f);
    }

    void mix_rules_for_layers_and_fallbacks() {
        // q4_K_M over 8 layers: more bits on the first and last eighth and every third layer between.
        std::vector<TensorToWrite> tensors;
        for (int l = 0; l < 8; ++l) {
            tensors.push_back({fmt::format("layers.{}.attention.wv.weight", l), BlockType::F32, {256, 256}});
            tensors.push_back({fmt::format("blk.{}.ffn_down.weight", l), BlockType::F32, {512, 256}});
            tensors.push_back({fmt::format("layers.{}.attention.wq.weight", l), BlockType::F32, {256, 256}});
        }
        assign_mix_types(require_quant_mix("q4_K_M"), tensors);
        for (int l = 0; l < 8; ++l) {
            BlockType more = (l == 0 || l == 3 || l == 6 || l == 7) ? BlockType::Q6_K : BlockType::Q4_K;
            QCOMPARE(tensors[size_t(3 * l)].type, more);
            QCOMPARE(tensors[size_t(3 * l + 1)].type, more);
            QCOMPARE(tensors[size_t(3 * l + 2)].type, BlockType::Q4_K);
        }
        const int64_t small[] = {64, 512}, odd_rows[] = {172, 64}, square[] = {256, 256}, norm[] = {256};
        const QuantMix& q4k = require_quant_mix("Q4_K_S");
        // Rows that k-quants cannot hold: output f16, embeddings q4_0, others the legacy neighbour.
        QCOMPARE(mix_tensor_type(q4k, "output.weight", small, 5), BlockType::F16);
        QCOMPARE(mix_tensor_type(q4k, "tok_embeddings.weight", small, 5), BlockType::Q4_0);
        QCOMPARE(mix_tensor_type(q4k, "layers.0.attention.wq.weight", small, 5), BlockType::Q5_0);
        QCOMPARE(mix_tensor_type(require_quant_mix("q6_K"), "blk.0.attn_q.weight", small, 5),
                 BlockType::Q8_0);
        // Rows that no block fits stay f16 rather than straddling rows.
        QCOMPARE(mix_tensor_type(q4k, "layers.0.feed_forward.w2.weight", odd_rows, 5), BlockType::F16);
        QCOMPARE(mix_tensor_type(require_quant_mix("q8_0"), "layers.0.feed_forward.w2.weight", odd_rows, 5),
                 BlockType::F16);
        QCOMPARE(mix_tensor_type(q4k, "norm.weight", norm, 5), BlockType::F32);
        QCOMPARE(mix_tensor_type(require_quant_mix("q4_0"), "output.weight", square, 5), BlockType::Q6_K);
        QCOMPARE(mix_tensor_type(require_quant_mix("f16"), "output.weight", square, 5), BlockType::F16);
        QCOMPARE(mix_tensor_type(require_quant_mix("q3_K_L"), "layers.0.attention.wo.weight", square, 5),
                 BlockType::Q5_K);
        QCOMPARE(mix_tensor_type(require_quant_mix("q2_K"), "layers.0.attention.wo.weight", square, 5),
                 BlockType::Q4_K);
        QCOMPARE(require_quant_mix("q5_K_M").ftype, 17u);
        QCOMPARE(require_quant_mix("q8_0").ftype, 7u);
        QVERIFY(find_quant_mix("q9_0") == nullptr);
        try {
            require_quant_mix("q9_0");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("q4_K_M"));
        }
    }

    void mixes_reproduce_the_shared_tensor_types() {
        FIRESIDE_REQUIRE_SHARED();
        std::ifstream manifest(test::shared_path("MANIFEST.tsv"));
        QVERIFY(manifest.good());
        std::string line;
        std::getline(manifest, line);
        int checked = 0;
        while (std::getline(manifest, line)) {
            QStringList cols = QString::fromStdString(line).split('\t');
            QVERIFY(cols.size() >= 16);
            const QString file = cols[0];
            if (file.contains("/bad/")) continue;
            const uint32_t ftype = cols[4].section(' ', 0, 0).toUInt();
            const QuantMix* mix = quant_mix_for_ftype(ftype);
            QVERIFY2(mix, qPrintable(file));
            ModelFile f = open_model_file(test::shared_path(file.toStdString()));
            std::vector<TensorToWrite> planned = tensors_of(f);
            assign_mix_types(*mix, planned);
            for (size_t i = 0; i < planned.size(); ++i)
                QVERIFY2(planned[i].type == f.tensors[i].type,
                         qPrintable(QString("%1 %2").arg(file, QString::fromStdString(f.tensors[i].name))));
            QCOMPARE(QString::fromStdString(tensor_type_summary(planned)), cols[15]);
            ++checked;
        }
        QVERIFY(checked >= 25);
    }

    void quantize_model_requantizes_and_copies() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        SynthModel model(small_spec(5));
        write_synth_model(root / "src.bin", model, require_quant_mix("f32"), {Container::Ggjt, 1, {}});
        ModelFile src = open_model_file(root / "src.bin");

        // f32 -> q4_K_M: each tensor is exactly the quantizer's output for the source values.
        quantize_model(src, root / "q.bin", require_quant_mix("q4_K_M"), {Container::Ggjt, 3, {}, {}});
        ModelFile q = open_model_file(root / "q.bin");
        QCOMPARE(q.ggjt.ftype, 15u);
        QCOMPARE(q.ggjt.n_mult, 256u);
        std::vector<TensorToWrite> planned = model.tensors();
        assign_mix_types(require_quant_mix("q4_K_M"), planned);
        for (size_t i = 0; i < q.tensors.size(); ++i) {
            QCOMPARE(q.tensors[i].type, planned[i].type);
            QVERIFY2(same_bytes(q.tensors[i], expected_bytes(model, i, planned[i].type)),
                     q.tensors[i].name.c_str());
        }

        // q4_K_M -> q8_0 as GGUF: dequantized then quantized; q6_K -> q8_0 likewise; f32 norms copied.
        quantize_model(q, root / "r.gguf", require_quant_mix("q8_0"), {Container::Gguf, 2, {}, {}});
        ModelFile r = open_model_file(root / "r.gguf");
        QCOMPARE(r.container, Container::Gguf);
        QCOMPARE(gguf_uint(r, "llama.attention.head_count_kv").value(), uint64_t{2});
        for (size_t i = 0; i < r.tensors.size(); ++i) {
            const TensorInfo& in = q.tensors[i];
            const TensorInfo& out = r.tensors[i];
            QCOMPARE(out.name, to_gguf_name(in.name));
            std::vector<float> values = dequantize_all(in.type, in.data, in.n_rows(), in.ne[0]);
            std::vector<std::byte> want(out.n_bytes);
            const size_t stride = row_bytes(out.type, out.ne[0]);
            for (int64_t row = 0; row < out.n_rows(); ++row) {
                if (out.type == BlockType::F32)
                    std::memcpy(want.data() + row * stride, values.data() + row * in.ne[0], stride);
                else if (out.type == in.type)
                    std::memcpy(want.data() + row * stride, in.data + row * stride, stride);
                else
                    block_traits(out.type).quantize_row(values.data() + row * in.ne[0],
                                                        want.data() + row * stride, in.ne[0]);
            }
            QVERIFY2(same_bytes(out, want), out.name.c_str());
        }
    }

    void convert_copies_tensor_bytes_and_writes_inferred_metadata() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        SynthModel model(small_spec(9));
        write_synth_model(root / "m.bin", model, require_quant_mix("q5_1"), {Container::Ggjt, 2, {}});
        ModelFile bin = open_model_file(root / "m.bin");
        ConvertOptions options;
        options.overrides.rms_eps = 2e-6f;
        options.overrides.n_ctx_train = 4096;
        convert_to_gguf(bin, root / "m.gguf", options);
        ModelFile gguf = open_model_file(root / "m.gguf");
        QCOMPARE(gguf.tensors.size(), bin.tensors.size());
        for (size_t i = 0; i < bin.tensors.size(); ++i) {
            QCOMPARE(gguf.tensors[i].name, to_gguf_name(bin.tensors[i].name));
            QCOMPARE(gguf.tensors[i].type, bin.tensors[i].type);
            QCOMPARE(gguf.tensors[i].ne, bin.tensors[i].ne);
            QVERIFY(same_bytes(gguf.tensors[i], {bin.tensors[i].data, bin.tensors[i].n_bytes}));
        }
        QCOMPARE(gguf_uint(gguf, "llama.attention.head_count_kv").value(), uint64_t{2}); // from wk's shape
        QCOMPARE(static_cast<float>(gguf_float(gguf, "llama.attention.layer_norm_rms_epsilon").value()),
                 2e-6f);
        QCOMPARE(gguf_uint(gguf, "llama.context_length").value(), uint64_t{4096});
        QCOMPARE(gguf_uint(gguf, "general.file_type").value(), uint64_t{9});
        QCOMPARE(gguf_string(gguf, "general.name").value(), std::string("m.bin"));
        QCOMPARE(gguf_string(gguf, "general.description").value(),
                 std::string("converted from GGML ggjt v3 MOSTLY_Q5_1 by Fireside"));
        for (size_t i = 0; i < bin.vocab.size(); ++i) QCOMPARE(gguf.vocab.text[i], bin.vocab.text[i]);
    }

    void a_write_into_a_missing_folder_fails_cleanly() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        SynthModel model(small_spec());
        for (Container c : {Container::Ggjt, Container::Gguf}) {
            fs::path target = root / "no-such-folder" / "m.bin";
            try {
                write_synth_model(target, model, require_quant_mix("q4_0"), {c, 1, {}});
                QFAIL("no error");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(target.string())), e.what());
                QVERIFY2(QString(e.what()).contains("No such file or directory"), e.what());
            }
            QVERIFY(!fs::exists(target));
        }
        // A regular file where the folder should be (even root cannot write there).
        std::ofstream(root / "plain-file") << "x";
        QVERIFY_THROWS_EXCEPTION(Error,
                                 write_synth_model(root / "plain-file" / "m.gguf", model,
                                                   require_quant_mix("f16"), {Container::Gguf, 1, {}}));
        QCOMPARE(files_in(root).size(), size_t{1});
    }

    void a_failing_producer_leaves_no_file_and_keeps_the_old_one() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        const fs::path target = root / "m.gguf";
        std::ofstream(target) << "previous contents";
        std::vector<TensorToWrite> tensors{{"a.weight", BlockType::F32, {64, 4}},
                                           {"b.weight", BlockType::F32, {64, 4}}};
        RowProducer rows = [](size_t tensor, int64_t, int64_t n, std::byte* out) {
            if (tensor == 1) throw Error("generator failed");
            std::memset(out, 0, static_cast<size_t>(n) * 64 * sizeof(float));
        };
        GgufMetadata meta;
        meta.set_string("general.architecture", "llama");
        QVERIFY_THROWS_EXCEPTION(Error, write_gguf(target, meta, tensors, rows));
        GgjtHeader header;
        QVERIFY_THROWS_EXCEPTION(Error, write_ggjt(root / "m.bin", header, Vocab{}, tensors, rows));
        // Cancelling through the progress callback works the same way.
        RowProducer zeros = [](size_t, int64_t, int64_t n, std::byte* out) {
            std::memset(out, 0, static_cast<size_t>(n) * 64 * sizeof(float));
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, write_gguf(target, meta, tensors, zeros,
                                                       [](const WriteProgress&) { throw Cancelled(); }));
        QCOMPARE(files_in(root), std::vector<fs::path>{"m.gguf"});
        QCOMPARE(test::read_file(target), QByteArray("previous contents"));
    }

    void writers_ask_for_rows_a_block_at_a_time() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        // 4096 rows of 1024 values: four blocks of 1024 rows, asked for in order, never the whole tensor.
        std::vector<TensorToWrite> tensors{{"big.weight", BlockType::F32, {1024, 4096}}};
        std::vector<std::pair<int64_t, int64_t>> calls;
        RowProducer rows = [&](size_t, int64_t first, int64_t n, std::byte* out) {
            calls.emplace_back(first, n);
            std::vector<float> v(static_cast<size_t>(n * 1024), static_cast<float>(first));
            std::memcpy(out, v.data(), v.size() * sizeof(float));
        };
        std::vector<uint64_t> progress;
        write_gguf(root / "big.gguf", GgufMetadata{}, tensors, rows,
                   [&](const WriteProgress& p) { progress.push_back(p.bytes_done); });
        QCOMPARE(calls, (std::vector<std::pair<int64_t, int64_t>>{
                            {0, 1024}, {1024, 1024}, {2048, 1024}, {3072, 1024}}));
        QCOMPARE(progress, (std::vector<uint64_t>{4u << 20, 8u << 20, 12u << 20, 16u << 20}));
        GgjtHeader header;
        write_ggjt(root / "big.bin", header, Vocab{}, tensors, rows);
        QCOMPARE(calls.size(), size_t{8});
        // What was produced is what each file holds: the data end the file and start at an aligned offset.
        for (const char* name : {"big.gguf", "big.bin"}) {
            QByteArray bytes = test::read_file(root / name);
            const qsizetype start = bytes.size() - (16 << 20);
            QCOMPARE(start % 32, qsizetype{0});
            std::vector<float> data(4 << 20);
            std::memcpy(data.data(), bytes.constData() + start, 16 << 20);
            for (size_t i = 0; i < data.size(); i += 1000)
                QCOMPARE(data[i], static_cast<float>(i / 1024 / 1024 * 1024));
        }
    }

    void writers_refuse_shapes_they_cannot_store() {
        QTemporaryDir dir;
        const fs::path root(dir.path().toStdString());
        RowProducer none = [](size_t, int64_t, int64_t, std::byte*) {};
        std::vector<TensorToWrite> straddling{{"w.weight", BlockType::Q4_0, {48, 2}}};
        try {
            write_gguf(root / "x.gguf", GgufMetadata{}, straddling, none);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("'w.weight'") && QString(e.what()).contains("32"), e.what());
        }
        std::vector<TensorToWrite> twice{{"w", BlockType::F32, {4}}, {"w", BlockType::F32, {4}}};
        QVERIFY_THROWS_EXCEPTION(Error, write_gguf(root / "x.gguf", GgufMetadata{}, twice, none));
        // A ggjt header cannot describe n_ff below floor(8 * n_embd / 3).
        SynthSpec spec = small_spec();
        spec.shape.n_ff = 512;
        SynthModel model(spec);
        QVERIFY_THROWS_EXCEPTION(Error,
                                 write_synth_model(root / "x.bin", model, require_quant_mix("f32"), {}));
        write_synth_model(root / "x.gguf", model, require_quant_mix("f32"), {Container::Gguf, 1, {}});
        QCOMPARE(describe_model(open_model_file(root / "x.gguf")).n_ff, int64_t{512});
        QCOMPARE(files_in(root), std::vector<fs::path>{"x.gguf"});
    }
};

QTEST_GUILESS_MAIN(TestWriters)
#include "test_writers.moc"
