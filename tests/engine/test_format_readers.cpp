#include "engine/core/error.h"
#include "engine/core/mapped_file.h"
#include "engine/format/file_type.h"
#include "engine/format/gguf_metadata.h"
#include "engine/format/model_file.h"
#include "engine/quant/block_type.h"
#include "tests/engine/test_format_fixtures.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <unistd.h>

using namespace fireside;
namespace fx = fireside::fixture;

namespace {

std::string error_of(const std::vector<std::byte>& bytes, std::string_view name = "fixture.bin") {
    try {
        parse_model_file(bytes, name);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

// The error must be one line naming the file and containing `needle`.
void expect_refused(const std::vector<std::byte>& bytes, const char* needle) {
    std::string msg = error_of(bytes);
    QVERIFY2(!msg.empty(), needle);
    QVERIFY2(msg.starts_with("fixture.bin: "), msg.c_str());
    QVERIFY2(msg.find('\n') == std::string::npos, msg.c_str());
    QVERIFY2(msg.find(needle) != std::string::npos, msg.c_str());
}

void write_u32(std::vector<std::byte>& b, size_t at, uint32_t v) {
    std::memcpy(b.data() + at, &v, 4);
}

std::filesystem::path write_temp(const QTemporaryDir& dir, const std::string& name,
                                 const std::vector<std::byte>& b) {
    std::filesystem::path p = std::filesystem::path(dir.path().toStdString()) / name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return p;
}

} // namespace

class TestFormatReaders : public QObject {
    Q_OBJECT
private slots:
    void ggjt_fixture_reads_header_vocab_and_tensors() {
        fx::Model m = fx::tiny_llama(fx::kQ8_0);
        auto bytes = fx::build_ggjt(m);
        ModelFile f = parse_model_file(bytes, "tiny.bin");
        QCOMPARE(f.container, Container::Ggjt);
        QCOMPARE(f.version, 3u);
        QCOMPARE(f.ggjt.n_embd, 32u);
        QCOMPARE(f.ggjt.n_layer, 2u);
        QCOMPARE(f.ggjt.ftype, 7u);
        QCOMPARE(f.file_bytes, uint64_t(bytes.size()));
        QCOMPARE(f.vocab.size(), size_t(m.n_vocab));
        QCOMPARE(f.vocab.kind[0], TokenKind::Unknown);
        QCOMPARE(f.vocab.kind[1], TokenKind::Control);
        QCOMPARE(f.vocab.kind[2], TokenKind::Control);
        for (size_t id = 3; id < 259; ++id) {
            QCOMPARE(f.vocab.kind[id], TokenKind::Byte);
            QCOMPARE(static_cast<unsigned char>(f.vocab.text[id][0]), static_cast<unsigned char>(id - 3));
        }
        QCOMPARE(f.vocab.kind[259], TokenKind::Normal);
        QCOMPARE(f.vocab.text[259], std::string(" the"));
        QCOMPARE(f.vocab.score[260], -2.0f);
        QCOMPARE(f.tensors.size(), m.tensors.size());
        for (size_t i = 0; i < m.tensors.size(); ++i) {
            const TensorInfo& t = f.tensors[i];
            QCOMPARE(t.name, m.tensors[i].ggjt_name);
            QCOMPARE(t.offset % 32, uint64_t(0));
            QCOMPARE(t.n_bytes, fx::tensor_bytes(m.tensors[i]));
            QCOMPARE(t.data, bytes.data() + t.offset);
            QCOMPARE(uint32_t(t.type), m.tensors[i].type);
        }
        const TensorInfo* w2 = f.find("layers.1.feed_forward.w2.weight");
        QVERIFY(w2);
        QCOMPARE(w2->ne, (std::vector<int64_t>{64, 32}));
        QCOMPARE(w2->n_rows(), int64_t(32));
        QCOMPARE(w2->n_elements(), int64_t(64 * 32));
        QVERIFY(!f.find("nonexistent"));
        // The data really is where the reader says: the first value written for tok_embeddings.
        fx::Bytes expect;
        fx::put_tensor_data(expect, m.tensors[0], 1);
        QVERIFY(std::memcmp(f.tensors[0].data, expect.data.data(), 64) == 0);
    }

    void gguf_fixture_matches_ggjt_fixture() {
        fx::Model m = fx::tiny_llama(fx::kQ8_0);
        auto ggjt_bytes = fx::build_ggjt(m);
        for (uint32_t version : {2u, 3u}) {
            for (uint32_t alignment : {32u, 64u, 8u}) {
                auto bytes = fx::build_gguf(m, {.version = version, .alignment = alignment});
                ModelFile g = parse_model_file(bytes, "tiny.gguf");
                ModelFile j = parse_model_file(ggjt_bytes, "tiny.bin");
                QCOMPARE(g.container, Container::Gguf);
                QCOMPARE(g.version, version);
                QCOMPARE(g.alignment, uint64_t(alignment));
                QCOMPARE(g.vocab.text, j.vocab.text);
                QCOMPARE(g.vocab.score, j.vocab.score);
                QCOMPARE(g.vocab.kind, j.vocab.kind);
                QCOMPARE(g.vocab.bos, 1);
                QCOMPARE(g.vocab.eos, 2);
                QCOMPARE(g.tensors.size(), j.tensors.size());
                for (size_t i = 0; i < g.tensors.size(); ++i) {
                    QCOMPARE(g.tensors[i].name, m.tensors[i].gguf_name);
                    QCOMPARE(g.tensors[i].ne, j.tensors[i].ne);
                    QCOMPARE(g.tensors[i].offset % alignment, uint64_t(0));
                    QVERIFY(std::memcmp(g.tensors[i].data, j.tensors[i].data, g.tensors[i].n_bytes) == 0);
                }
            }
        }
    }

    void gguf_metadata_value_types() {
        auto bytes = fx::build_gguf(fx::tiny_llama());
        ModelFile g = parse_model_file(bytes, "tiny.gguf");
        QCOMPARE(gguf_uint(g, "fixture.u8").value(), uint64_t(200));
        QCOMPARE(gguf_int(g, "fixture.i8").value(), int64_t(-100));
        QCOMPARE(gguf_uint(g, "fixture.u16").value(), uint64_t(60000));
        QCOMPARE(gguf_int(g, "fixture.i16").value(), int64_t(-30000));
        QCOMPARE(gguf_int(g, "fixture.i32").value(), int64_t(-2000000000));
        QCOMPARE(gguf_uint(g, "fixture.u64").value(), uint64_t(1) << 40);
        QCOMPARE(gguf_int(g, "fixture.i64").value(), -(int64_t(1) << 40));
        QCOMPARE(gguf_float(g, "fixture.f64").value(), 0.125);
        QCOMPARE(gguf_float(g, "llama.attention.layer_norm_rms_epsilon").value(), double(1e-5f));
        QCOMPARE(gguf_bool(g, "fixture.bool").value(), true);
        QCOMPARE(gguf_string(g, "general.name").value(), std::string("tiny fixture"));
        QCOMPARE(*gguf_array<uint64_t>(g, "fixture.u16s"), (std::vector<uint64_t>{1, 2, 3}));
        QCOMPARE(*gguf_array<bool>(g, "fixture.bools"), (std::vector<bool>{false, true}));
        QCOMPARE(*gguf_array<double>(g, "fixture.f64s"), (std::vector<double>{-2.5}));
        QVERIFY(gguf_array<int64_t>(g, "fixture.empty")->empty());
        QVERIFY(!gguf_int(g, "absent.key"));
        QVERIFY_THROWS_EXCEPTION(Error, gguf_string(g, "fixture.u8"));
        QVERIFY_THROWS_EXCEPTION(Error, gguf_int(g, "general.name"));
    }

    void invalid_utf8_tokens_are_kept_verbatim() {
        fx::Model m = fx::tiny_llama();
        m.tokens[260] = "\xC3(\xFF"; // not UTF-8
        m.tokens[7] = "\x01";        // byte tokens out of order: ids 3..258 are then ordinary tokens
        ModelFile f = parse_model_file(fx::build_ggjt(m), "odd.bin");
        QCOMPARE(f.vocab.text[260], std::string("\xC3(\xFF"));
        QCOMPARE(f.vocab.kind[260], TokenKind::Normal);
        QCOMPARE(f.vocab.kind[3], TokenKind::Normal);
        QCOMPARE(f.vocab.kind[0], TokenKind::Unknown);
    }

    void old_and_unknown_containers_are_refused_with_advice() {
        fx::Model m = fx::tiny_llama();
        expect_refused(fx::build_ggjt(m, 0x67676d6c, 3), "unversioned GGML ('ggml')");
        expect_refused(fx::build_ggjt(m, 0x67676d66, 1), "'ggmf' v1");
        expect_refused(fx::build_ggjt(m, 0x67676a74, 1), "ggjt v1");
        expect_refused(fx::build_ggjt(m, 0x67676a74, 2), "ggjt v2");
        expect_refused(fx::build_ggjt(m, 0x67676a74, 2), "re-convert");
        expect_refused(fx::build_ggjt(m, 0x67676a74, 4), "ggjt version 4");
        expect_refused(fx::build_gguf(m, {.version = 1}), "GGUF v1");
        expect_refused(fx::build_gguf(m, {.version = 7}), "GGUF version 7");
        expect_refused(fx::build_gguf(m, {.version = 0x03000000}), "big-endian");
        expect_refused(fx::build_gguf(m, {.nested_array = true}), "array of arrays");
        std::string text = "hello, this is not a model file at all";
        std::vector<std::byte> junk(text.size());
        std::memcpy(junk.data(), text.data(), text.size());
        expect_refused(junk, "not a model file");
        expect_refused({}, "empty");
        expect_refused(std::vector<std::byte>(3), "truncated");
    }

    void misaligned_rows_are_refused_naming_the_tensor() {
        fx::Model m = fx::tiny_llama(fx::kQ8_0, 1);
        m.n_ff = 48; // 48-value rows in w2: not a whole number of 32-value q8_0 blocks
        for (fx::Tensor& t : m.tensors) {
            if (t.ggjt_name.find("w2") != std::string::npos)
                t.ne = {48, 32};
            else if (t.ggjt_name.find("feed_forward") != std::string::npos)
                t.ne = {32, 48};
        }
        expect_refused(fx::build_ggjt(m), "tensor 'layers.0.feed_forward.w2.weight'");
        expect_refused(fx::build_ggjt(m), "not a multiple of the q8_0 block size 32");
        expect_refused(fx::build_gguf(m), "tensor 'blk.0.ffn_down.weight'");
    }

    void tensor_table_problems_are_refused() {
        fx::Model base = fx::tiny_llama();
        {
            fx::Model m = base;
            m.tensors[3].ggjt_name = m.tensors[4].ggjt_name;
            m.tensors[3].gguf_name = m.tensors[4].gguf_name;
            m.tensors[3].ne = m.tensors[4].ne;
            expect_refused(fx::build_ggjt(m), "appears twice");
            expect_refused(fx::build_gguf(m), "appears twice");
        }
        {
            fx::Model m = base;
            m.tensors[1].type = 4; // retired Q4_2
            expect_refused(fx::build_ggjt(m), "unknown ggml type id 4");
            m.tensors[1].type = 99;
            expect_refused(fx::build_gguf(m), "unknown ggml type id 99");
        }
        {
            fx::Model m = base;
            m.tensors[1].ne = {32, 1, 1, 1, 1};
            expect_refused(fx::build_ggjt(m), "n_dims 5");
            expect_refused(fx::build_gguf(m), "n_dims 5");
        }
        {
            fx::Model m = base;
            m.tensors[1].ne = {0};
            expect_refused(fx::build_ggjt(m), "invalid shape");
        }
        {
            fx::Model m = base;
            m.tensors[1].ne = {1u << 30, 1u << 30, 1u << 30};
            expect_refused(fx::build_gguf(m), "absurd shape");
        }
        {
            auto b = fx::build_ggjt(base);
            write_u32(b, 8, 0xFFFFFFFF); // n_vocab
            expect_refused(b, "n_vocab");
            write_u32(b, 8, 3000000); // plausible count that the file cannot hold
            expect_refused(b, "truncated");
        }
        {
            auto b = fx::build_ggjt(base);
            b.resize(b.size() - 1);
            expect_refused(b, "truncated");
        }
        {
            // Two GGUF tensors claiming the same data.
            auto g = fx::build_gguf(base);
            ModelFile f = parse_model_file(g, "x");
            size_t name_at = 0;
            std::string needle = "blk.0.attn_norm.weight";
            for (size_t i = 0; i + needle.size() < g.size(); ++i)
                if (std::memcmp(g.data() + i, needle.data(), needle.size()) == 0) name_at = i;
            QVERIFY(name_at > 0);
            size_t offset_at = name_at + needle.size() + 4 + 8 + 4; // n_dims, ne[0], type
            uint64_t zero = 0;
            std::memcpy(g.data() + offset_at, &zero, 8);
            expect_refused(g, "overlap");
        }
    }

    void mapped_file_errors() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto model = write_temp(dir, "tiny.bin", fx::build_ggjt(fx::tiny_llama()));
        auto mapped = MappedFile::open(model);
        QCOMPARE(mapped->size(), uint64_t(std::filesystem::file_size(model)));
        QCOMPARE(std::memcmp(mapped->data(), "tjgg", 4), 0);
        ModelFile f = open_model_file(model);
        QVERIFY(f.mapping);
        QCOMPARE(f.tensors[0].data, f.mapping->data() + f.tensors[0].offset);

        auto expect_open_error = [](const std::filesystem::path& p, const char* needle) {
            try {
                open_model_file(p);
                QFAIL("expected an error");
            } catch (const Error& e) {
                std::string msg = e.what();
                QVERIFY2(msg.starts_with(p.string() + ": "), msg.c_str());
                QVERIFY2(msg.find(needle) != std::string::npos, msg.c_str());
            }
        };
        expect_open_error(std::filesystem::path(dir.path().toStdString()) / "missing.bin", "no such file");
        expect_open_error(std::filesystem::path(dir.path().toStdString()), "directory");
        expect_open_error(write_temp(dir, "empty.bin", {}), "empty");
        auto locked = write_temp(dir, "locked.bin", fx::build_ggjt(fx::tiny_llama()));
        std::filesystem::permissions(locked, std::filesystem::perms::none);
        if (::geteuid() != 0) expect_open_error(locked, "permission denied");
    }

    void file_type_table_both_ways() {
        QCOMPARE(file_type_name(15).value(), std::string_view("MOSTLY_Q4_K_M"));
        QCOMPARE(file_type_name(0).value(), std::string_view("ALL_F32"));
        QVERIFY(!file_type_name(5));
        QCOMPARE(file_type_number("MOSTLY_Q4_K_M").value(), 15u);
        QCOMPARE(file_type_number("q4_k_m").value(), 15u);
        QCOMPARE(file_type_number("LLAMA_FTYPE_MOSTLY_Q8_0").value(), 7u);
        QCOMPARE(file_type_number("f32").value(), 0u);
        QVERIFY(!file_type_number("q9_9"));
        for (const FileTypeName& t : all_file_types()) QCOMPARE(file_type_number(t.name).value(), t.number);
        QCOMPARE(file_type_display_name(99), std::string("UNKNOWN(99)"));
    }

    void shared_files_open_and_gguf_copies_agree() {
        FIRESIDE_REQUIRE_SHARED();
        for (const auto& entry : std::filesystem::directory_iterator(test::shared_path("models"))) {
            if (!entry.is_regular_file()) continue;
            ModelFile f = open_model_file(entry.path());
            QCOMPARE(f.container, Container::Ggjt);
            QCOMPARE(f.version, 3u);
            QVERIFY(!f.tensors.empty());
            QCOMPARE(f.vocab.size(), size_t(f.ggjt.n_vocab));
            QCOMPARE(f.vocab.kind[3], TokenKind::Byte);
        }
        for (std::string name :
             {"stories260K-ff192.q8_0", "synth-e512-gqa2.q4_K_M", "synth-e512-gqa2.q6_K"}) {
            ModelFile j = open_model_file(test::shared_path("models/" + name + ".bin"));
            ModelFile g = open_model_file(test::shared_path("models/gguf/" + name + ".gguf"));
            QCOMPARE(g.container, Container::Gguf);
            QCOMPARE(g.version, 3u);
            QCOMPARE(g.vocab.text, j.vocab.text);
            QCOMPARE(g.vocab.score, j.vocab.score);
            QCOMPARE(g.vocab.kind, j.vocab.kind);
            QCOMPARE(g.tensors.size(), j.tensors.size());
            const TensorInfo* gw = g.find("blk.0.ffn_down.weight");
            const TensorInfo* jw = j.find("layers.0.feed_forward.w2.weight");
            QVERIFY(gw && jw);
            QCOMPARE(gw->ne, jw->ne);
            QCOMPARE(gw->type, jw->type);
            QVERIFY(std::memcmp(gw->data, jw->data, gw->n_bytes) == 0);
        }
    }

    void shared_bad_file_is_refused() {
        FIRESIDE_REQUIRE_SHARED();
        auto path = test::shared_path("models/bad/stories260K-misaligned.q8_0.bin");
        try {
            open_model_file(path);
            QFAIL("the misaligned file was accepted");
        } catch (const Error& e) {
            std::string msg = e.what();
            QVERIFY2(msg.starts_with(path.string() + ": "), msg.c_str());
            QVERIFY2(msg.find("layers.0.feed_forward.w2.weight") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("block size") != std::string::npos, msg.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestFormatReaders)
#include "test_format_readers.moc"
