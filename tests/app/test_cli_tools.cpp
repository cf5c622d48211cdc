// fireside-cli synth, quantize and convert, run in-process (and once as the real executable), checked
// through `info --json` and `dequant` on the files they write.
#include "app/cli/progress_bar.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/format/model_file.h"
#include "engine/format/tensor_names.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

using namespace fireside;
namespace fs = std::filesystem;

namespace {

// Every 2-D tensor has both dimensions a multiple of 256, so each mix applies its k-quant rules unchanged.
const std::vector<std::string> kSmallShape = {"--n-embd",  "256", "--n-head", "2",   "--n-head-kv", "2",
                                              "--n-layer", "2",   "--n-ff",   "768", "--n-vocab",   "512"};

std::vector<std::string> synth_args(const std::string& out, const std::string& type,
                                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"synth"};
    args.insert(args.end(), kSmallShape.begin(), kSmallShape.end());
    args.insert(args.end(), {"--type", type, "--seed", "3"});
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(out);
    return args;
}

QString message(const test::CliResult& r) {
    return QString::fromStdString("status " + std::to_string(r.status) + "\nout: " + r.out +
                                  "\nerr: " + r.err);
}

#define RUN_OK(result_var, ...)                                                                              \
    test::CliResult result_var = test::run_cli(__VA_ARGS__);                                                 \
    QVERIFY2(result_var.status == 0, qPrintable(message(result_var)))

QJsonObject info_json(const fs::path& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"info", path.string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    test::CliResult r = test::run_cli(args);
    if (r.status != 0) qFatal("info failed: %s", r.err.c_str());
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.out), &error);
    if (error.error != QJsonParseError::NoError) qFatal("info --json is not JSON: %s", r.out.c_str());
    return doc.object();
}

QByteArray dequant(const fs::path& model, const std::string& tensor, const fs::path& out) {
    test::CliResult r = test::run_cli({"dequant", model.string(), tensor, "--out", out.string()});
    if (r.status != 0) qFatal("dequant failed: %s", r.err.c_str());
    return test::read_file(out);
}

QVariantMap types(const QJsonObject& info) {
    return info["tensor_types"].toObject().toVariantMap();
}

} // namespace

class TestCliTools : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path path(const std::string& name) const { return fs::path(dir_.path().toStdString()) / name; }

private slots:
    // Fixtures several tests use: an f32 source and a quantized model.
    void initTestCase() {
        QVERIFY(dir_.isValid());
        RUN_OK(src, synth_args(path("src.bin").string(), "f32"));
        RUN_OK(s, synth_args(path("s.bin").string(), "q4_K_M"));
    }

    void synth_writes_a_model_info_can_read() {
        RUN_OK(r, synth_args(path("first.bin").string(), "q4_K_M"));
        QVERIFY(QString::fromStdString(r.out).contains("q4_K_M"));
        // stderr is not a terminal here: one plain progress line per tensor.
        QVERIFY2(QString::fromStdString(r.err).contains("[ 1/21] q4_K  tok_embeddings.weight"),
                 r.err.c_str());
        QVERIFY(QString::fromStdString(r.err).contains("[21/21] f32   layers.1.ffn_norm.weight"));
        QJsonObject info = info_json(path("first.bin"));
        QCOMPARE(info["format"].toString(), QString("ggjt"));
        QCOMPARE(info["n_vocab"].toInt(), 512);
        QCOMPARE(info["n_embd"].toInt(), 256);
        QCOMPARE(info["n_mult"].toInt(), 256);
        QCOMPARE(info["n_head"].toInt(), 2);
        QCOMPARE(info["n_head_kv"].toInt(), 2);
        QCOMPARE(info["n_layer"].toInt(), 2);
        QCOMPARE(info["n_ff"].toInt(), 768);
        QCOMPARE(info["n_rot"].toInt(), 128);
        QCOMPARE(info["ftype"].toInt(), 15);
        QCOMPARE(info["ftype_name"].toString(), QString("MOSTLY_Q4_K_M"));
        // q4_K_M over 2 layers: q6_K on output and on layer 1's wv and w2.
        QCOMPARE(types(info), (QVariantMap{{"f32", 5}, {"q4_K", 13}, {"q6_K", 3}}));
    }

    void synth_is_deterministic_whatever_the_thread_count() {
        // The same name too: general.name defaults to the output file's name.
        RUN_OK(a, synth_args(path("d1.gguf").string(), "q5_0", {"-t", "1", "--name", "d"}));
        RUN_OK(b, synth_args(path("d2.gguf").string(), "q5_0", {"--threads", "3", "--name", "d"}));
        QByteArray first = test::read_file(path("d1.gguf"));
        QCOMPARE(first, test::read_file(path("d2.gguf")));
        RUN_OK(c, {"synth",       "--n-embd",  "256",       "--n-head", "4",
                   "--n-head-kv", "2",         "--n-layer", "2",        "--n-ff",
                   "768",         "--n-vocab", "512",       "--type",   "q5_0",
                   "--seed",      "4",         "--name",    "d",        path("d3.gguf").string()});
        QVERIFY(first != test::read_file(path("d3.gguf")));
    }

    void synth_writes_gguf_by_flag_or_extension() {
        RUN_OK(a, synth_args(path("g.gguf").string(), "q6_K"));
        RUN_OK(b, synth_args(path("g-flag.model").string(), "q6_K", {"--gguf"}));
        for (const char* name : {"g.gguf", "g-flag.model"}) {
            QJsonObject info = info_json(path(name));
            QCOMPARE(info["format"].toString(), QString("gguf"));
            QCOMPARE(info["n_head_kv"].toInt(), 2);
            QCOMPARE(types(info), (QVariantMap{{"f32", 5}, {"q6_K", 16}}));
        }
    }

    void synth_shapes_and_vocabulary_copies() {
        // stories260k: n_ff 172 rows fit no 32-value block, so feed_forward.w2 falls back to f16.
        RUN_OK(a, {"synth", "--shape", "stories260k", "--type", "q8_0", path("st.bin").string()});
        QJsonObject info = info_json(path("st.bin"));
        QCOMPARE(info["n_ff"].toInt(), 172);
        QCOMPARE(info["n_mult"].toInt(), 4);
        QCOMPARE(info["n_head_kv"].toInt(), 4);
        QCOMPARE(types(info), (QVariantMap{{"f32", 11}, {"f16", 5}, {"q8_0", 32}}));

        // --n-head alone means n_head_kv = n_head; n_ff 384 needs n_mult 48 (256 would give 512).
        RUN_OK(h, {"synth", "--n-embd", "128", "--n-head", "2", "--n-layer", "1", "--n-ff", "384",
                   "--n-vocab", "300", path("h.bin").string()});
        QJsonObject hinfo = info_json(path("h.bin"));
        QCOMPARE(hinfo["n_head_kv"].toInt(), 2);
        QCOMPARE(hinfo["n_mult"].toInt(), 48);
        QCOMPARE(hinfo["n_ff"].toInt(), 384);

        RUN_OK(b, {"synth", "--shape", "synth-e512", "--n-layer", "1", "--vocab-from", path("s.bin").string(),
                   "--type", "f16", path("v.bin").string()});
        ModelFile from = open_model_file(path("s.bin"));
        ModelFile copy = open_model_file(path("v.bin"));
        QCOMPARE(copy.vocab.text, from.vocab.text);
        QCOMPARE(copy.vocab.score, from.vocab.score);
        QCOMPARE(copy.ggjt.n_layer, 1u);
    }

    void synth_rejects_bad_options() {
        test::CliResult r = test::run_cli(synth_args(path("bad.bin").string(), "q4_9"));
        QCOMPARE(r.status, 1);
        QVERIFY(QString::fromStdString(r.err).contains("unknown file type 'q4_9'"));
        r = test::run_cli({"synth", "--shape", "1b", path("bad.bin").string()});
        QCOMPARE(r.status, 1);
        QVERIFY(QString::fromStdString(r.err).contains("tinyllama"));
        r = test::run_cli({"synth", "--n-embd", "250", "--n-head", "4", path("bad.bin").string()});
        QCOMPARE(r.status, 1);
        QVERIFY(QString::fromStdString(r.err).contains("n_embd 250 is not a multiple of n_head 4"));
        QVERIFY(!fs::exists(path("bad.bin")));
    }

    void a_write_into_a_missing_folder_fails_with_a_message() {
        const fs::path target = path("missing/sub/out.bin");
        test::CliResult r = test::run_cli(synth_args(target.string(), "q4_0"));
        QCOMPARE(r.status, 1);
        QVERIFY2(QString::fromStdString(r.err).contains(
                     QString::fromStdString("cannot create '" + target.string())),
                 r.err.c_str());
        r = test::run_cli({"quantize", path("s.bin").string(), target.string(), "q8_0"});
        QCOMPARE(r.status, 1);
        QVERIFY(QString::fromStdString(r.err).contains("No such file or directory"));
        r = test::run_cli({"convert", path("s.bin").string(), (target.parent_path() / "x.gguf").string()});
        QCOMPARE(r.status, 1);
        QVERIFY(!fs::exists(path("missing")));
    }

    void quantize_writes_the_mix_in_either_container() {
        RUN_OK(q, {"quantize", path("src.bin").string(), path("q.bin").string(), "q3_K_M", "-t", "2"});
        QVERIFY(QString::fromStdString(q.out).contains("f32:5,q3_K:9,q4_K:6,q6_K:1"));
        QVERIFY(QString::fromStdString(q.err).contains("[21/21]"));
        QJsonObject info = info_json(path("q.bin"));
        QCOMPARE(info["ftype_name"].toString(), QString("MOSTLY_Q3_K_M"));
        QCOMPARE(types(info), (QVariantMap{{"f32", 5}, {"q3_K", 9}, {"q4_K", 6}, {"q6_K", 1}}));

        // Already quantized input, GGUF output: dequantized and quantized again.
        RUN_OK(g, {"quantize", path("q.bin").string(), path("q.gguf").string(), "Q8_0", "--eps", "5e-6",
                   "--n-ctx-train", "4096"});
        QJsonObject ginfo = info_json(path("q.gguf"));
        QCOMPARE(ginfo["format"].toString(), QString("gguf"));
        QCOMPARE(ginfo["n_head_kv"].toInt(), 2);
        QCOMPARE(ginfo["n_vocab"].toInt(), 512);
        QCOMPARE(float(ginfo["rms_eps"].toDouble()), 5e-6f);
        QCOMPARE(ginfo["n_ctx_train"].toInt(), 4096);
        QCOMPARE(types(ginfo), (QVariantMap{{"f32", 5}, {"q8_0", 15}, {"q6_K", 1}}));

        // And back from GGUF to ggjt: GGUF names become ggjt names again.
        RUN_OK(back, {"quantize", path("q.gguf").string(), path("back.bin").string(), "f16"});
        QJsonObject binfo = info_json(path("back.bin"));
        QCOMPARE(binfo["format"].toString(), QString("ggjt"));
        QCOMPARE(binfo["ftype_name"].toString(), QString("MOSTLY_F16"));
        QCOMPARE(types(binfo), (QVariantMap{{"f32", 5}, {"f16", 16}}));
        QCOMPARE(dequant(path("back.bin"), "layers.1.feed_forward.w3.weight", path("w3a.f32")).size(),
                 qsizetype{768 * 256 * 4});

        // Values stay close to the source: q8_0 of the f32 rows.
        QByteArray src = dequant(path("src.bin"), "layers.0.attention.wq.weight", path("a.f32"));
        RUN_OK(q8, {"quantize", path("src.bin").string(), path("q8.bin").string(), "q8_0"});
        QByteArray q8v = dequant(path("q8.bin"), "layers.0.attention.wq.weight", path("b.f32"));
        QCOMPARE(q8v.size(), src.size());
        const float* x = reinterpret_cast<const float*>(src.constData());
        const float* y = reinterpret_cast<const float*>(q8v.constData());
        double err = 0, norm = 0;
        for (qsizetype i = 0; i < src.size() / 4; ++i)
            err += (x[i] - y[i]) * (x[i] - y[i]), norm += x[i] * x[i];
        QVERIFY(err > 0);
        QVERIFY(err < norm * 1e-4); // q8_0: relative rms error well under 1%

        test::CliResult same =
            test::run_cli({"quantize", path("src.bin").string(), path("src.bin").string(), "q4_0"});
        QCOMPARE(same.status, 1);
        QVERIFY(QString::fromStdString(same.err).contains("overwrite the input"));
    }

    void convert_keeps_values_and_writes_inferred_settings() {
        // A grouped-query model: n_head_kv 2 of 4 heads, which the GGUF metadata must carry.
        RUN_OK(a, {"synth", "--n-embd", "256", "--n-head", "4", "--n-head-kv", "2", "--n-layer", "2",
                   "--n-ff", "768", "--n-vocab", "512", "--type", "q4_1", path("c.bin").string()});
        RUN_OK(c, {"convert", path("c.bin").string(), path("c.gguf").string(), "--eps", "1e-6",
                   "--n-ctx-train", "4096", "--rope-freq-base", "20000", "--rope-freq-scale", "0.5"});
        QJsonObject bin = info_json(path("c.bin"));
        QJsonObject gguf = info_json(path("c.gguf"));
        QCOMPARE(gguf["format"].toString(), QString("gguf"));
        for (const char* key :
             {"n_vocab", "n_embd", "n_layer", "n_head", "n_head_kv", "n_ff", "n_rot", "ftype", "n_params"})
            QVERIFY2(bin[key] == gguf[key], key);
        QCOMPARE(types(bin), types(gguf));
        QCOMPARE(gguf["n_head_kv"].toInt(), 2);
        QCOMPARE(float(gguf["rms_eps"].toDouble()), 1e-6f);
        QCOMPARE(gguf["n_ctx_train"].toInt(), 4096);
        QCOMPARE(gguf["rope_freq_base"].toDouble(), 20000.0);
        QCOMPARE(gguf["rope_freq_scale"].toDouble(), 0.5);
        for (const auto& [ggjt, gguf_name] :
             {std::pair{"tok_embeddings.weight", "token_embd.weight"},
              std::pair{"layers.1.feed_forward.w2.weight", "blk.1.ffn_down.weight"},
              std::pair{"norm.weight", "output_norm.weight"}})
            QCOMPARE(dequant(path("c.gguf"), gguf_name, path("y.f32")),
                     dequant(path("c.bin"), ggjt, path("x.f32")));
    }

    void convert_the_shared_files_like_the_shipped_twins_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("tensor");
        QTest::newRow("stories q8_0") << "stories260K-ff192.q8_0"
                                      << "512"
                                      << "layers.4.feed_forward.w2.weight";
        QTest::newRow("synth q4_K_M") << "synth-e512-gqa2.q4_K_M"
                                      << "2048"
                                      << "layers.1.attention.wv.weight";
        QTest::newRow("synth q6_K") << "synth-e512-gqa2.q6_K"
                                    << "2048"
                                    << "tok_embeddings.weight";
    }

    void convert_the_shared_files_like_the_shipped_twins() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, name);
        QFETCH(QString, context);
        QFETCH(QString, tensor);
        const fs::path bin = test::shared_path("models/" + name.toStdString() + ".bin");
        const fs::path twin = test::shared_path("models/gguf/" + name.toStdString() + ".gguf");
        const fs::path out = path(name.toStdString() + ".gguf");
        // The ggjt files store no n_head_kv; the converter infers 4 from wk's shape (README: gqa 2).
        RUN_OK(c, {"convert", bin.string(), out.string(), "--n-ctx-train", context.toStdString()});
        QJsonObject ours = info_json(out);
        QJsonObject shipped = info_json(twin);
        for (const char* differs : {"file", "file_bytes"}) { // the twin also carries a description
            ours.remove(differs);
            shipped.remove(differs);
        }
        QCOMPARE(ours["n_head_kv"].toInt(), 4);
        QCOMPARE(ours, shipped);
        const std::string gguf_name = to_gguf_name(tensor.toStdString());
        const QByteArray from_bin = dequant(bin, tensor.toStdString(), path("s.f32"));
        QCOMPARE(dequant(out, gguf_name, path("o.f32")), from_bin);
        QCOMPARE(dequant(twin, gguf_name, path("t.f32")), from_bin);
    }

    void convert_takes_the_gqa_factor() {
        RUN_OK(a, {"synth", "--n-embd", "256", "--n-head", "4", "--n-head-kv", "2", "--n-layer", "1",
                   "--n-ff", "768", "--n-vocab", "300", path("gqa.bin").string()});
        RUN_OK(c, {"convert", path("gqa.bin").string(), path("gqa.gguf").string(), "--gqa", "2"});
        QVERIFY(QString::fromStdString(c.out).contains("n_head_kv 2"));
        QCOMPARE(info_json(path("gqa.gguf"))["n_head_kv"].toInt(), 2);
        test::CliResult bad =
            test::run_cli({"convert", path("gqa.bin").string(), path("gqa3.gguf").string(), "--gqa", "3"});
        QCOMPARE(bad.status, 1);
        QVERIFY(QString::fromStdString(bad.err).contains("--gqa 3 does not divide the 4 attention heads"));
        QVERIFY(!fs::exists(path("gqa3.gguf")));
    }

    // bench --json: every figure present, and the ceiling and ratio follow from the others.
    void bench_reports_consistent_figures() {
        RUN_OK(r,
               {"bench", "-m", path("s.bin").string(), "-p", "8", "-n", "4", "-r", "2", "-t", "2", "--json"});
        QJsonParseError error{};
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(r.out), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.c_str());
        QVERIFY(o["pp_tps"].toDouble() > 0 && o["tg_tps"].toDouble() > 0);
        QCOMPARE(o["threads"].toInt(), 2);
        const double bandwidth = o["bandwidth_gbs"].toDouble() * 1e9, bytes = o["bytes_per_token"].toDouble();
        QVERIFY(bandwidth > 0);
        // The weights one token reads: less than the file (which also holds the vocabulary), most of it.
        const auto file_bytes = static_cast<double>(fs::file_size(path("s.bin")));
        QVERIFY2(bytes < file_bytes && bytes > 0.5 * file_bytes, qPrintable(QString::number(bytes)));
        QVERIFY(std::abs(o["ceiling_tps"].toDouble() - bandwidth / bytes) <= 1e-3 * bandwidth / bytes);
        QVERIFY(std::abs(o["ratio"].toDouble() - o["tg_tps"].toDouble() / o["ceiling_tps"].toDouble()) <=
                1e-3);
        QVERIFY(o["packed"].isBool());
        // Generation in several segments (16 tokens between bandwidth probes), with a last short one.
        RUN_OK(seg, {"bench", "-m", path("s.bin").string(), "-p", "0", "-n", "40", "-r", "1", "-t", "2",
                     "--json"});
        const QJsonObject so = QJsonDocument::fromJson(QByteArray::fromStdString(seg.out)).object();
        const double seg_ceiling = so["bandwidth_gbs"].toDouble() * 1e9 / so["bytes_per_token"].toDouble();
        QVERIFY(so["tg_tps"].toDouble() > 0 && seg_ceiling > 0);
        QVERIFY(std::abs(so["ceiling_tps"].toDouble() - seg_ceiling) <= 1e-3 * seg_ceiling);
        QVERIFY(std::abs(so["ratio"].toDouble() - so["tg_tps"].toDouble() / so["ceiling_tps"].toDouble()) <=
                1e-3);
        // --no-repack keeps the weights in the file's mapping.
        RUN_OK(mapped, {"bench", "-m", path("s.bin").string(), "-p", "0", "-n", "2", "-r", "1", "-t", "2",
                        "--no-repack", "--json"});
        QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(mapped.out)).object()["packed"].toBool(),
                 false);
    }

    void bench_times_the_kernels_of_a_format() {
        RUN_OK(r, {"bench", "--kernels", "--type", "q4_0", "-r", "1", "-t", "1", "--json"});
        QJsonParseError error{};
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(r.out), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.c_str());
        const QJsonArray kernels = o["kernels"].toArray();
        // The row-major weights, and the packed ones where this machine has a packed q4_0 kernel.
        const bool has_packed = best_dot_kernel(BlockType::Q4_0).packed != nullptr;
        QCOMPARE(kernels.size(), has_packed ? 2 : 1);
        for (qsizetype i = 0; i < kernels.size(); ++i) {
            const QJsonObject k = kernels[i].toObject();
            QCOMPARE(k["type"].toString(), QString("q4_0"));
            QCOMPARE(k["packed"].toBool(), i == 1);
            QVERIFY(!k["kernel"].toString().isEmpty());
            const double gbs = k["gbs"].toDouble(), bandwidth = o["bandwidth_gbs"].toDouble();
            QVERIFY(gbs > 0 && bandwidth > 0);
            // Both figures are printed to 0.001 GB/s: on a slow (sanitized) run that rounding alone moves
            // their quotient by more than the ratio's own last digit.
            const double rounding = 0.0005 / bandwidth * (1 + gbs / bandwidth) + 1e-4;
            QVERIFY2(std::abs(k["ratio"].toDouble() - gbs / bandwidth) <= rounding, r.out.c_str());
        }

        const test::CliResult bad = test::run_cli({"bench", "--kernels", "--type", "q9_9"});
        QCOMPARE(bad.status, 1);
        QVERIFY2(bad.err.find("q9_9") != std::string::npos, bad.err.c_str());
    }

    void the_terminal_bar_redraws_in_place() {
        std::ostringstream err;
        cli::ProgressBar bar(err, true);
        bar.update({0, 2, "a.weight", BlockType::Q4_0, 50, 100});
        bar.update({1, 2, "b.weight", BlockType::F32, 100, 100});
        bar.finish();
        const std::string s = err.str();
        QVERIFY(s.starts_with("\r["));
        QVERIFY(s.find("50.0% 1/2 q4_0  a.weight") != std::string::npos);
        QVERIFY(s.find("[##############################] 100.0% 2/2 f32   b.weight") != std::string::npos);
        QVERIFY(s.ends_with("\n"));
        QCOMPARE(std::count(s.begin(), s.end(), '\n'), 1);
    }

    void the_executable_quantizes_with_plain_progress_lines() {
        QProcess p;
        p.start(test::cli_path(), {"quantize", QString::fromStdString(path("src.bin").string()),
                                   QString::fromStdString(path("p.bin").string()), "q4_0", "-t", "2"});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("[ 1/21] q4_0  tok_embeddings.weight"), qPrintable(err));
        QVERIFY(!err.contains('\r'));
        QCOMPARE(info_json(path("p.bin"))["ftype_name"].toString(), QString("MOSTLY_Q4_0"));
    }
};

QTEST_GUILESS_MAIN(TestCliTools)
#include "test_cli_tools.moc"
