// A Llama-2-70B-shaped q4_0 ggjt v3 file as users have them (about 38 GB), written sparse: headers and
// vocabulary are real, tensor data are holes. The reader must open it through the memory mapping,
// with 64-bit offsets, without reading or copying tensor data, and describe it as 70B without -gqa.
#include "engine/format/model_file.h"
#include "engine/model/llama_tensors.h"
#include "engine/model/model_desc.h"
#include "engine/quant/block_type.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cstdio>
#include <string>
#include <vector>

using namespace fireside;

namespace {

constexpr uint32_t kVocab = 32000, kEmbd = 8192, kHead = 64, kLayers = 80, kFf = 28672, kKv = 1024;

struct SparseGgjtWriter {
    std::FILE* f;
    uint64_t offset = 0;

    void bytes(const void* p, size_t n) {
        QVERIFY(std::fwrite(p, 1, n, f) == n);
        offset += n;
    }
    void u32(uint32_t v) { bytes(&v, 4); }
    void f32(float v) { bytes(&v, 4); }
    // A tensor header, padding to the next 32-byte offset, then a hole where its data would be.
    void tensor(const std::string& name, BlockType type, std::vector<uint32_t> ne) {
        u32(static_cast<uint32_t>(ne.size()));
        u32(static_cast<uint32_t>(name.size()));
        u32(static_cast<uint32_t>(type));
        for (uint32_t d : ne) u32(d);
        bytes(name.data(), name.size());
        const uint64_t pad = (32 - offset % 32) % 32;
        const char zeros[32] = {};
        bytes(zeros, pad);
        uint64_t rows = 1;
        for (size_t i = 1; i < ne.size(); ++i) rows *= ne[i];
        const uint64_t data = row_bytes(type, ne[0]) * rows;
        QVERIFY(std::fseek(f, static_cast<long>(data), SEEK_CUR) == 0);
        offset += data;
    }
};

void write_70b_q4_0(const std::string& path) {
    SparseGgjtWriter w{std::fopen(path.c_str(), "wb")};
    QVERIFY(w.f);
    w.u32(0x67676a74); // "ggjt"
    w.u32(3);
    // n_vocab, n_embd, n_mult (7168: the old loader's formula then gives n_ff 28672), n_head, n_layer,
    // n_rot, ftype (MOSTLY_Q4_0).
    for (uint32_t v : {kVocab, kEmbd, 7168u, kHead, kLayers, kEmbd / kHead, 2u}) w.u32(v);
    for (uint32_t id = 0; id < kVocab; ++id) {
        std::string text;
        if (id == 0)
            text = " \xe2\x81\x87 ";
        else if (id >= 3 && id < 259)
            text = std::string(1, static_cast<char>(id - 3));
        else if (id >= 259)
            text = "tok" + std::to_string(id);
        w.u32(static_cast<uint32_t>(text.size()));
        w.bytes(text.data(), text.size());
        w.f32(-static_cast<float>(id));
    }
    w.tensor("tok_embeddings.weight", BlockType::Q4_0, {kEmbd, kVocab});
    w.tensor("norm.weight", BlockType::F32, {kEmbd});
    w.tensor("output.weight", BlockType::Q6_K, {kEmbd, kVocab});
    for (uint32_t l = 0; l < kLayers; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        w.tensor(p + "attention.wq.weight", BlockType::Q4_0, {kEmbd, kEmbd});
        w.tensor(p + "attention.wk.weight", BlockType::Q4_0, {kEmbd, kKv});
        w.tensor(p + "attention.wv.weight", BlockType::Q4_0, {kEmbd, kKv});
        w.tensor(p + "attention.wo.weight", BlockType::Q4_0, {kEmbd, kEmbd});
        w.tensor(p + "feed_forward.w1.weight", BlockType::Q4_0, {kEmbd, kFf});
        w.tensor(p + "feed_forward.w2.weight", BlockType::Q4_0, {kFf, kEmbd});
        w.tensor(p + "feed_forward.w3.weight", BlockType::Q4_0, {kEmbd, kFf});
        w.tensor(p + "attention_norm.weight", BlockType::F32, {kEmbd});
        w.tensor(p + "ffn_norm.weight", BlockType::F32, {kEmbd});
    }
    // The last tensor's data is a hole too: give the file its full length.
    QVERIFY(std::fseek(w.f, -1, SEEK_CUR) == 0);
    const char last = 0;
    QVERIFY(std::fwrite(&last, 1, 1, w.f) == 1);
    QVERIFY(std::fclose(w.f) == 0);
}

} // namespace

class TestFormatLargeFile : public QObject {
    Q_OBJECT

private slots:
    void llama2_70b_q4_0_opens_and_describes_without_flags() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("llama-2-70b-instruct-v2.ggmlv3.q4_0.bin").toStdString();
        write_70b_q4_0(path);
        if (QTest::currentTestFailed()) return;

        const ModelFile file = open_model_file(path);
        QVERIFY(file.file_bytes > (uint64_t{35} << 30)); // about 38.8 GB: far past 32-bit offsets
        QCOMPARE(file.tensors.size(), size_t{3 + 9 * kLayers});
        QCOMPARE(file.vocab.size(), size_t{kVocab});
        const TensorInfo* last = file.find("layers.79.ffn_norm.weight");
        QVERIFY(last);
        QCOMPARE(last->offset + last->n_bytes, file.file_bytes);

        const ModelDesc d = describe_model(file);
        QCOMPARE(d.size_class, std::string("70B"));
        QCOMPARE(d.n_layer, int64_t{80});
        QCOMPARE(d.n_head, int64_t{64});
        QCOMPARE(d.n_head_kv, int64_t{8}); // from wk's shape: no -gqa 8
        QCOMPARE(d.n_ff, int64_t{28672});  // from w1's shape
        QCOMPARE(d.head_dim, int64_t{128});
        QCOMPARE(d.rms_eps, 1e-5f);
        QCOMPARE(d.n_ctx_train, int64_t{4096});
        QCOMPARE(d.ftype_name, std::string("MOSTLY_Q4_0"));
        QVERIFY(d.n_params > 68'000'000'000ull && d.n_params < 70'000'000'000ull);
        QCOMPARE(d.tensor_types.at("q4_0"), 1 + 7 * static_cast<int>(kLayers));
        QCOMPARE(d.tensor_types.at("f32"), 1 + 2 * static_cast<int>(kLayers));
        QCOMPARE(d.tensor_types.at("q6_K"), 1);
        // 80 layers x 4096 positions x 1024 K and V values x 2 bytes.
        QCOMPARE(d.kv_cache_bytes(4096), uint64_t{80} * 4096 * 1024 * 2 * 2);

        const LlamaTensors t = map_llama_tensors(file, d);
        QCOMPARE(t.layers.size(), size_t{80});
        QCOMPARE(t.layers[79].w2->ne[0], int64_t{kFf});
    }
};

QTEST_GUILESS_MAIN(TestFormatLargeFile)
#include "test_format_large_file.moc"
