#include "engine/format/model_file.h"
#include "tests/engine/test_format_fixtures.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

using namespace fireside;
namespace fx = fireside::fixture;

namespace {

QJsonObject info_json(const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"info", path, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    test::CliResult r = test::run_cli(args);
    if (r.status != 0) qWarning("info failed: %s", r.err.c_str());
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.out), &error);
    if (error.error != QJsonParseError::NoError) qWarning("bad JSON: %s", qPrintable(error.errorString()));
    return doc.object();
}

std::string write_temp(const QTemporaryDir& dir, const std::string& name, const std::vector<std::byte>& b) {
    std::filesystem::path p = std::filesystem::path(dir.path().toStdString()) / name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    return p.string();
}

// "f32:5,q4_K:13" -> {"f32": 5, "q4_K": 13}
QJsonObject parse_types(const QString& text) {
    QJsonObject o;
    for (const QString& part : text.split(',')) {
        QStringList kv = part.split(':');
        o.insert(kv[0], kv[1].toInt());
    }
    return o;
}

void expect_one_line_error(const test::CliResult& r, const char* needle) {
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find(needle) != std::string::npos, r.err.c_str());
    QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
}

} // namespace

class TestCliInfo : public QObject {
    Q_OBJECT
private slots:
    void info_matches_every_manifest_row() {
        FIRESIDE_REQUIRE_SHARED();
        QStringList lines = QString::fromUtf8(test::read_file(test::shared_path("MANIFEST.tsv"))).split('\n');
        QStringList header = lines.takeFirst().split('\t');
        auto col = [&](const QStringList& row, const char* name) { return row[header.indexOf(name)]; };
        int checked = 0;
        for (const QString& line : lines) {
            if (line.trimmed().isEmpty()) continue;
            QStringList row = line.split('\t');
            std::string path = test::shared_path(col(row, "file").toStdString()).string();
            if (col(row, "notes").startsWith("BROKEN")) {
                test::CliResult r = test::run_cli({"info", path, "--json"});
                expect_one_line_error(r, "layers.0.feed_forward.w2.weight");
                QVERIFY2(r.err.find("block size") != std::string::npos, r.err.c_str());
                ++checked;
                continue;
            }
            QJsonObject j = info_json(path);
            QVERIFY2(!j.isEmpty(), path.c_str());
            QStringList format = col(row, "format").split(' ');
            QCOMPARE(j["format"].toString(), format[0].toLower());
            QCOMPARE(QString("v%1").arg(j["version"].toInt()), format[1]);
            QCOMPARE(j["file_bytes"].toInteger(), col(row, "bytes").toLongLong());
            QStringList ftype = col(row, "ftype").split(' ');
            QCOMPARE(j["ftype"].toInt(), ftype[0].toInt());
            QCOMPARE("(" + j["ftype_name"].toString() + ")", ftype[1]);
            for (const char* key :
                 {"n_vocab", "n_embd", "n_head", "n_head_kv", "n_layer", "n_ff", "n_rot", "gqa"})
                QCOMPARE(j[key].toInteger(), col(row, key).toLongLong());
            if (col(row, "n_mult") != "-") QCOMPARE(j["n_mult"].toInteger(), col(row, "n_mult").toLongLong());
            QCOMPARE(j["head_dim"].toInteger(), j["n_embd"].toInteger() / j["n_head"].toInteger());
            QCOMPARE(float(j["rms_eps"].toDouble()), col(row, "rms_eps").toFloat());
            QCOMPARE(j["tensor_types"].toObject(), parse_types(col(row, "tensor_types")));
            QCOMPARE(j["rope_freq_base"].toDouble(), 10000.0);
            QCOMPARE(j["rope_freq_scale"].toDouble(), 1.0);
            QCOMPARE(j["size_class"].toString(), QString("other"));
            QVERIFY(j["n_params"].toInteger() > 0);
            const qint64 kv_row = 2 * 2 * j["n_head_kv"].toInteger() * j["head_dim"].toInteger(); // K+V, f16
            QCOMPARE(j["kv_cache_bytes"].toInteger(),
                     kv_row * j["n_layer"].toInteger() * j["n_ctx_train"].toInteger());
            ++checked;
        }
        QCOMPARE(checked, 27);
    }

    void dequant_matches_reference_rows() {
        FIRESIDE_REQUIRE_SHARED();
        QTemporaryDir dir;
        QJsonArray entries =
            test::read_json(test::shared_path("reference/dequant/index.json"))["entries"].toArray();
        QVERIFY(entries.size() >= 2);
        for (const QJsonValue& v : entries) {
            QJsonObject e = v.toObject();
            std::string model = test::shared_path("models/" + e["model"].toString().toStdString()).string();
            std::string tensor = e["tensor"].toString().toStdString();
            ModelFile f = open_model_file(model);
            QCOMPARE(qint64(f.find(tensor)->offset), e["tensor_data_offset"].toInteger());
            QCOMPARE(qint64(f.find(tensor)->n_bytes), e["tensor_bytes"].toInteger());
            std::string out = dir.filePath("rows.f32").toStdString();
            QJsonArray rows = e["rows"].toArray();
            test::CliResult r = test::run_cli(
                {"dequant", model, tensor, "--rows",
                 QString("%1:%2").arg(rows[0].toInt()).arg(rows[1].toInt()).toStdString(), "--out", out});
            QVERIFY2(r.status == 0, r.err.c_str());
            QByteArray got = test::read_file(out);
            QByteArray want =
                test::read_file(test::shared_path("reference/dequant/" + e["file"].toString().toStdString()));
            QCOMPARE(got.size(), want.size());
            QVERIFY2(got == want, e["file"].toString().toUtf8().constData());
        }
    }

    void info_on_fixtures_and_overrides() {
        QTemporaryDir dir;
        fx::Model m = fx::tiny_llama(fx::kQ8_0);
        std::string bin = write_temp(dir, "tiny.bin", fx::build_ggjt(m));
        std::string gguf = write_temp(dir, "tiny.gguf", fx::build_gguf(m));
        for (const std::string& path : {bin, gguf}) {
            QJsonObject j = info_json(path);
            QCOMPARE(j["format"].toString(), QString(path == bin ? "ggjt" : "gguf"));
            QCOMPARE(j["n_vocab"].toInt(), int(m.n_vocab));
            QCOMPARE(j["n_embd"].toInt(), 32);
            QCOMPARE(j["n_head"].toInt(), 4);
            QCOMPARE(j["n_head_kv"].toInt(), 2);
            QCOMPARE(j["n_ff"].toInt(), 64);
            QCOMPARE(j["ftype_name"].toString(), QString("MOSTLY_Q8_0"));
            QCOMPARE(j["tensor_types"].toObject()["q8_0"].toInt(), 14);
            QCOMPARE(j["file_bytes"].toInteger(), qint64(std::filesystem::file_size(path)));
        }
        QJsonObject o = info_json(
            bin, {"--gqa", "2", "--eps", "5e-6", "--rope-freq-base", "20000", "--rope-freq-scale", "0.5"});
        QCOMPARE(o["n_head_kv"].toInt(), 2);
        QCOMPARE(float(o["rms_eps"].toDouble()), 5e-6f);
        QCOMPARE(o["rope_freq_base"].toDouble(), 20000.0);
        QCOMPARE(o["rope_freq_scale"].toDouble(), 0.5);
        QCOMPARE(o["rope_scaling"].toString(), QString("linear"));

        expect_one_line_error(test::run_cli({"info", bin, "--gqa", "4"}), "attention.wk.weight");
        expect_one_line_error(test::run_cli({"info", bin, "--gqa", "3"}), "does not divide");
        expect_one_line_error(test::run_cli({"info", bin, "--bogus"}), "--bogus");
        expect_one_line_error(test::run_cli({"info", dir.filePath("missing.bin").toStdString()}),
                              "no such file");
        expect_one_line_error(test::run_cli({"info", dir.path().toStdString()}), "directory");

        test::CliResult text = test::run_cli({"info", gguf});
        QCOMPARE(text.status, 0);
        QVERIFY(text.out.find("MOSTLY_Q8_0") != std::string::npos);
        QVERIFY(text.out.find("fixture.i64") != std::string::npos);
    }

    void dequant_on_fixture() {
        QTemporaryDir dir;
        fx::Model m = fx::tiny_llama(fx::kF32);
        auto bytes = fx::build_ggjt(m);
        std::string bin = write_temp(dir, "tiny.bin", bytes);
        std::string out = dir.filePath("out.f32").toStdString();
        test::CliResult r =
            test::run_cli({"dequant", bin, "layers.1.feed_forward.w2.weight", "--rows", "3:5", "--out", out});
        QVERIFY2(r.status == 0, r.err.c_str());
        ModelFile f = parse_model_file(bytes, "tiny.bin");
        const TensorInfo* t = f.find("layers.1.feed_forward.w2.weight");
        QByteArray got = test::read_file(out);
        QCOMPARE(got.size(), qsizetype(2 * 64 * 4));
        QVERIFY(std::memcmp(got.constData(), t->data + 3 * 64 * 4, size_t(got.size())) == 0);

        expect_one_line_error(test::run_cli({"dequant", bin, "nope.weight", "--out", out}),
                              "no tensor named 'nope.weight'");
        expect_one_line_error(test::run_cli({"dequant", bin, "norm.weight", "--rows", "0:2", "--out", out}),
                              "outside");
        expect_one_line_error(test::run_cli({"dequant", bin, "norm.weight"}), "--out");
    }
};

QTEST_APPLESS_MAIN(TestCliInfo)
#include "test_cli_info.moc"
