#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/model/llama_tensors.h"
#include "engine/model/model_desc.h"
#include "tests/engine/test_format_fixtures.h"
#include "tests/support/test_support.h"

#include <QtTest>

using namespace fireside;
namespace fx = fireside::fixture;

namespace {

struct Shape {
    int64_t n_vocab, n_embd, n_head, n_head_kv, n_layer, n_ff;
};

// A ggjt-style ModelFile with shapes only (no data): describe_model never touches tensor bytes.
ModelFile shapes_only(const Shape& s, BlockType matrix = BlockType::Q4_K) {
    ModelFile f;
    f.path = "shapes.bin";
    f.container = Container::Ggjt;
    f.version = 3;
    f.ggjt = {uint32_t(s.n_vocab),
              uint32_t(s.n_embd),
              256,
              uint32_t(s.n_head),
              uint32_t(s.n_layer),
              uint32_t(s.n_embd / s.n_head),
              15};
    f.vocab.text.assign(size_t(s.n_vocab), "x");
    f.vocab.score.assign(size_t(s.n_vocab), 0.0f);
    f.vocab.kind.assign(size_t(s.n_vocab), TokenKind::Normal);
    const int64_t e = s.n_embd, kv = s.n_embd / s.n_head * s.n_head_kv;
    auto add = [&](std::string name, BlockType type, std::vector<int64_t> ne) {
        TensorInfo t;
        t.name = std::move(name);
        t.type = type;
        t.ne = std::move(ne);
        f.tensors.push_back(std::move(t));
    };
    add("tok_embeddings.weight", matrix, {e, s.n_vocab});
    add("norm.weight", BlockType::F32, {e});
    add("output.weight", BlockType::Q6_K, {e, s.n_vocab});
    for (int64_t l = 0; l < s.n_layer; ++l) {
        std::string p = "layers." + std::to_string(l) + ".";
        add(p + "attention_norm.weight", BlockType::F32, {e});
        add(p + "attention.wq.weight", matrix, {e, e});
        add(p + "attention.wk.weight", matrix, {e, kv});
        add(p + "attention.wv.weight", matrix, {e, kv});
        add(p + "attention.wo.weight", matrix, {e, e});
        add(p + "ffn_norm.weight", BlockType::F32, {e});
        add(p + "feed_forward.w1.weight", matrix, {e, s.n_ff});
        add(p + "feed_forward.w2.weight", matrix, {s.n_ff, e});
        add(p + "feed_forward.w3.weight", matrix, {e, s.n_ff});
    }
    return f;
}

std::string describe_error(const ModelFile& f, const ModelOverrides& o = {}) {
    try {
        describe_model(f, o);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

TensorInfo& tensor(ModelFile& f, std::string_view name) {
    for (TensorInfo& t : f.tensors)
        if (t.name == name) return t;
    qFatal("no tensor %s", std::string(name).c_str());
}

} // namespace

class TestModelDesc : public QObject {
    Q_OBJECT
private slots:
    void llama2_70b_shapes() {
        ModelFile f = shapes_only({32000, 8192, 64, 8, 80, 28672});
        ModelDesc d = describe_model(f);
        QCOMPARE(d.n_head_kv, int64_t(8));
        QCOMPARE(d.n_ff, int64_t(28672));
        QCOMPARE(d.head_dim, int64_t(128));
        QCOMPARE(d.n_rot, int64_t(128));
        QCOMPARE(d.size_class, std::string("70B"));
        QCOMPARE(d.n_ctx_train, int64_t(4096));
        QCOMPARE(d.rms_eps, 1e-5f);
        QCOMPARE(d.ftype_name, std::string("MOSTLY_Q4_K_M"));
        uint64_t params = 0;
        for (const TensorInfo& t : f.tensors) params += uint64_t(t.n_elements());
        QCOMPARE(d.n_params, params);
        QVERIFY(d.n_params > 68'000'000'000ull && d.n_params < 70'000'000'000ull);
        QCOMPARE(d.tensor_types.at("q4_K"), 1 + 80 * 7);
        QCOMPARE(d.tensor_types.at("q6_K"), 1);
        QCOMPARE(d.tensor_types.at("f32"), 1 + 80 * 2);
        // 2 (K and V) x 80 layers x 4096 positions x 1024 values x 2 bytes.
        QCOMPARE(d.kv_cache_bytes(4096), uint64_t(2) * 80 * 4096 * 1024 * 2);
        QCOMPARE(d.kv_cache_bytes(4096, BlockType::F32), uint64_t(2) * 80 * 4096 * 1024 * 4);
    }

    void llama1_shapes_and_size_classes() {
        ModelDesc d65 = describe_model(shapes_only({32000, 8192, 64, 64, 80, 22016}));
        QCOMPARE(d65.size_class, std::string("65B"));
        QCOMPARE(d65.n_head_kv, int64_t(64));
        QCOMPARE(d65.n_ctx_train, int64_t(2048));
        ModelDesc d7 = describe_model(shapes_only({32000, 4096, 32, 32, 32, 11008}));
        QCOMPARE(d7.size_class, std::string("7B"));
        QCOMPARE(d7.n_ff, int64_t(11008));
        QCOMPARE(d7.kv_cache_bytes(2048), uint64_t(1) << 30); // the well-known 1 GiB f16 cache of 7B at 2048
        QCOMPARE(describe_model(shapes_only({32000, 5120, 40, 40, 40, 13824})).size_class,
                 std::string("13B"));
        QCOMPARE(describe_model(shapes_only({32000, 6656, 52, 52, 60, 17920})).size_class,
                 std::string("30B"));
        QCOMPARE(describe_model(shapes_only({512, 64, 8, 4, 5, 192}, BlockType::Q8_0)).size_class,
                 std::string("other"));
    }

    void overrides_apply_last() {
        ModelFile f = shapes_only({512, 64, 8, 4, 2, 192}, BlockType::Q8_0);
        ModelOverrides o;
        o.rms_eps = 5e-6f;
        o.rope_freq_base = 20000.0f;
        o.rope_freq_scale = 0.5f;
        o.n_ctx_train = 777;
        o.n_head_kv = 4; // agrees with the shapes
        ModelDesc d = describe_model(f, o);
        QCOMPARE(d.rms_eps, 5e-6f);
        QCOMPARE(d.rope_freq_base, 20000.0f);
        QCOMPARE(d.rope_freq_scale, 0.5f);
        QCOMPARE(d.rope_scaling, RopeScaling::Linear);
        QCOMPARE(d.n_ctx_train, int64_t(777));
        QCOMPARE(d.n_head_kv, int64_t(4));
    }

    // llama.cpp's -gqa is n_head / n_head_kv; it must divide the heads and agree with --n-head-kv.
    void gqa_override_sets_the_kv_heads() {
        ModelFile f = shapes_only({512, 64, 8, 4, 2, 192}, BlockType::Q8_0);
        ModelOverrides o;
        o.gqa = 2;
        QCOMPARE(describe_model(f, o).n_head_kv, int64_t(4));
        ModelOverrides wrong;
        wrong.gqa = 4; // 8 / 4 = 2 KV heads, but the wk shape says 4
        std::string msg = describe_error(f, wrong);
        QVERIFY2(msg.starts_with("shapes.bin: ") && msg.find("attention.wk.weight") != std::string::npos,
                 msg.c_str());
        ModelOverrides not_dividing;
        not_dividing.gqa = 3;
        msg = describe_error(f, not_dividing);
        QVERIFY2(msg.find("--gqa 3 does not divide the 8 attention heads") != std::string::npos, msg.c_str());
        ModelOverrides disagreeing;
        disagreeing.gqa = 2;
        disagreeing.n_head_kv = 8;
        msg = describe_error(f, disagreeing);
        QVERIFY2(msg.find("--gqa 2 and --n-head-kv 8 disagree") != std::string::npos, msg.c_str());
    }

    void contradictions_name_the_file() {
        ModelFile f = shapes_only({512, 64, 8, 4, 2, 192}, BlockType::Q8_0);
        ModelOverrides wrong_kv;
        wrong_kv.n_head_kv = 2; // the wk shape says 4
        std::string msg = describe_error(f, wrong_kv);
        QVERIFY2(msg.starts_with("shapes.bin: ") && msg.find("attention.wk.weight") != std::string::npos,
                 msg.c_str());
        ModelOverrides not_dividing;
        not_dividing.n_head_kv = 3;
        msg = describe_error(f, not_dividing);
        QVERIFY2(msg.starts_with("shapes.bin: ") && msg.find("does not divide n_head") != std::string::npos,
                 msg.c_str());
        ModelOverrides bad_eps;
        bad_eps.rms_eps = -1.0f;
        QVERIFY(describe_error(f, bad_eps).find("eps") != std::string::npos);

        ModelFile g = f;
        g.ggjt.n_head = 7;
        msg = describe_error(g);
        QVERIFY2(msg.find("n_head 7 does not divide n_embd 64") != std::string::npos, msg.c_str());

        ModelFile h = f;
        tensor(h, "layers.1.attention.wq.weight").ne = {64, 32};
        msg = describe_error(h);
        QVERIFY2(msg.starts_with("shapes.bin: ") &&
                     msg.find("'layers.1.attention.wq.weight' has shape [64, 32]") != std::string::npos,
                 msg.c_str());

        ModelFile k = f;
        std::erase_if(k.tensors, [](const TensorInfo& t) { return t.name == "layers.1.ffn_norm.weight"; });
        msg = describe_error(k);
        QVERIFY2(msg.find("'layers.1.ffn_norm.weight' is missing") != std::string::npos, msg.c_str());

        ModelFile v = f;
        v.vocab.text.pop_back();
        QVERIFY(describe_error(v).find("n_vocab") != std::string::npos);
    }

    void missing_output_is_tied_to_embeddings() {
        ModelFile f = shapes_only({512, 64, 8, 4, 2, 192}, BlockType::Q8_0);
        std::erase_if(f.tensors, [](const TensorInfo& t) { return t.name == "output.weight"; });
        ModelDesc d = describe_model(f);
        LlamaTensors t = map_llama_tensors(f, d);
        QVERIFY(t.output_tied);
        QCOMPARE(t.output, t.tok_embeddings);
        QCOMPARE(t.layers.size(), size_t(2));
        QCOMPARE(t.layers[1].w2->name, std::string("layers.1.feed_forward.w2.weight"));
    }

    void gguf_metadata_is_used_and_checked() {
        fx::Model m = fx::tiny_llama();
        m.eps = 1e-6f;
        m.ctx = 1024;
        auto bytes = fx::build_gguf(m);
        ModelFile f = parse_model_file(bytes, "tiny.gguf");
        ModelDesc d = describe_model(f);
        QCOMPARE(d.container, Container::Gguf);
        QCOMPARE(d.rms_eps, 1e-6f);
        QCOMPARE(d.n_ctx_train, int64_t(1024));
        QCOMPARE(d.n_head_kv, int64_t(2));
        QCOMPARE(d.n_ff, int64_t(64));
        LlamaTensors t = map_llama_tensors(f, d);
        QCOMPARE(t.layers[0].wk->name, std::string("blk.0.attn_k.weight"));
        QVERIFY(!t.output_tied);

        f.metadata["llama.rope.freq_base"] = 500000.0;
        f.metadata["llama.rope.scale_linear"] = 4.0;
        d = describe_model(f);
        QCOMPARE(d.rope_freq_base, 500000.0f);
        QCOMPARE(d.rope_freq_scale, 0.25f);
        QCOMPARE(d.rope_scaling, RopeScaling::Linear);

        f.metadata["llama.attention.head_count_kv"] = uint64_t(4); // wk holds 2 heads
        QVERIFY(describe_error(f).find("head_count_kv is 4") != std::string::npos);
        f.metadata["llama.attention.head_count_kv"] = uint64_t(2);
        f.metadata["llama.feed_forward_length"] = uint64_t(65);
        QVERIFY(describe_error(f).find("feed_forward_length is 65") != std::string::npos);
        f.metadata.erase("llama.feed_forward_length");
        f.metadata.erase("llama.block_count");
        QVERIFY(describe_error(f).find("llama.block_count") != std::string::npos);
    }

    void ggjt_fixture_description() {
        auto bytes = fx::build_ggjt(fx::tiny_llama(fx::kQ8_0));
        ModelDesc d = describe_model(parse_model_file(bytes, "tiny.bin"));
        QCOMPARE(d.n_vocab, int64_t(267));
        QCOMPARE(d.n_head_kv, int64_t(2));
        QCOMPARE(d.n_ff, int64_t(64));
        QCOMPARE(d.ftype, 7u);
        QCOMPARE(d.ftype_name, std::string("MOSTLY_Q8_0"));
        QCOMPARE(d.n_ctx_train, int64_t(2048));
        QCOMPARE(d.tensor_types.at("q8_0"), 14);
        QCOMPARE(d.tensor_types.at("f32"), 7);
        QCOMPARE(d.file_bytes, uint64_t(bytes.size()));
    }

    void shared_ggjt_and_gguf_describe_alike() {
        FIRESIDE_REQUIRE_SHARED();
        for (std::string name :
             {"stories260K-ff192.q8_0", "synth-e512-gqa2.q4_K_M", "synth-e512-gqa2.q6_K"}) {
            ModelDesc j = describe_model(open_model_file(test::shared_path("models/" + name + ".bin")));
            ModelDesc g = describe_model(open_model_file(test::shared_path("models/gguf/" + name + ".gguf")));
            QCOMPARE(g.n_vocab, j.n_vocab);
            QCOMPARE(g.n_embd, j.n_embd);
            QCOMPARE(g.n_layer, j.n_layer);
            QCOMPARE(g.n_head, j.n_head);
            QCOMPARE(g.n_head_kv, j.n_head_kv);
            QCOMPARE(g.n_ff, j.n_ff);
            QCOMPARE(g.n_rot, j.n_rot);
            QCOMPARE(g.rms_eps, j.rms_eps);
            QCOMPARE(g.ftype, j.ftype);
            QCOMPARE(g.tensor_types, j.tensor_types);
            QCOMPARE(g.n_params, j.n_params);
        }
    }
};

QTEST_APPLESS_MAIN(TestModelDesc)
#include "test_model_desc.moc"
