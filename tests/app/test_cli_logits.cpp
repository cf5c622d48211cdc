// fireside-cli logits, in-process: the file it writes holds n_tokens x n_vocab floats equal to the
// engine's own all-position logits, on a model made by `fireside-cli synth`, and (with ../shared) the
// reference logits of the stories model within the tolerance's RMS bound.
#include "engine/model/load_llama_model.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace fireside;

class CliLogits : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const char* name) {
        return (std::filesystem::path(dir_.path().toStdString()) / name).string();
    }

private slots:
    void writes_every_position_of_a_synthetic_model() {
        const std::string model = path("tiny.bin");
        const auto synth =
            test::run_cli({"synth", "--n-embd", "64", "--n-head", "4", "--n-head-kv", "2", "--n-layer", "2",
                           "--n-ff", "192", "--n-vocab", "300", "--type", "q8_0", "-t", "1", model});
        QVERIFY2(synth.status == 0, synth.err.c_str());
        const std::string out = path("logits.f32");
        const auto r = test::run_cli(
            {"logits", "-m", model, "--tokens", "1,7,42,299,5", "--gqa", "2", "--out", out, "-t", "2"});
        QVERIFY2(r.status == 0, r.err.c_str());
        QCOMPARE(QByteArray::fromStdString(r.out).trimmed(), QByteArray("[1,7,42,299,5]"));
        const std::vector<float> written = test::read_f32(out);
        QCOMPARE(written.size(), size_t{5 * 300});

        LlamaModelOptions options;
        options.n_ctx = 5;
        auto engine = load_llama_model(model, {}, 2, options);
        const std::vector<int32_t> tokens = {1, 7, 42, 299, 5};
        const std::vector<float> expected = engine->forward(Batch{tokens, 0, true});
        QCOMPARE(written, expected);

        // --no-repack is one of the model flags every command takes.
        const std::string mapped_out = path("mapped.f32");
        const auto mapped = test::run_cli({"logits", "-m", model, "--tokens", "1,7,42,299,5", "--gqa", "2",
                                           "--out", mapped_out, "-t", "2", "--no-repack"});
        QVERIFY2(mapped.status == 0, mapped.err.c_str());
        QCOMPARE(test::read_f32(mapped_out), expected);
    }

    void refuses_bad_arguments() {
        const std::string out = path("x.f32");
        QCOMPARE(test::run_cli({"logits", "--tokens", "1,2", "--out", out}).status, 1); // no model
        QCOMPARE(test::run_cli({"logits", "-m", "nope.bin", "--tokens", "1,x", "--out", out}).status,
                 1);                                                                   // bad id
        QCOMPARE(test::run_cli({"logits", "-m", "nope.bin", "--out", out}).status, 1); // no input
        const auto missing =
            test::run_cli({"logits", "-m", path("missing.bin"), "--tokens", "1", "--out", out});
        QCOMPARE(missing.status, 1);
        QVERIFY(missing.err.find("missing.bin") != std::string::npos);
        QCOMPARE(test::run_cli({"logits", "-m", "m.bin", "--tokens", "1", "--out", out, "--ngl", "5"}).status,
                 1);
    }

    void stories_reference_from_the_command_line() {
        FIRESIDE_REQUIRE_SHARED();
        const auto cases =
            test::read_json(test::shared_path("reference/logits/index.json")).object()["cases"].toArray();
        const QJsonObject c = cases[0].toObject(); // stories260K.f32.story
        const std::string prefix = c["prefix"].toString().toStdString();
        const QJsonArray ids =
            test::read_json(test::shared_path("reference/logits/" + prefix + ".tokens.json")).array();
        std::string list;
        for (const QJsonValue& v : ids) list += (list.empty() ? "" : ",") + std::to_string(v.toInt());
        const std::string out = path("story.f32");
        // -p with the prompt tokenizes to the same ids (space prefix, BOS), printed as JSON.
        const auto r = test::run_cli(
            {"logits", "-m", test::shared_path("models/" + c["model"].toString().toStdString()).string(),
             "-p", c["prompt"].toString().toStdString(), "--gqa", "2", "--eps", "1e-5", "--out", out});
        QVERIFY2(r.status == 0, r.err.c_str());
        QCOMPARE(QByteArray::fromStdString(r.out).trimmed(), QByteArray::fromStdString("[" + list + "]"));
        const std::vector<float> got = test::read_f32(out);
        const std::vector<float> ref =
            test::read_f32(test::shared_path("reference/logits/" + prefix + ".logits.f32"));
        QCOMPARE(got.size(), ref.size());
        double diff = 0, sum = 0, sum_sq = 0;
        for (size_t i = 0; i < ref.size(); ++i) {
            diff += (got[i] - ref[i]) * (got[i] - ref[i]);
            sum += ref[i];
            sum_sq += ref[i] * ref[i];
        }
        const double n = static_cast<double>(ref.size());
        QVERIFY(std::sqrt(diff / n) / std::sqrt(sum_sq / n - (sum / n) * (sum / n)) < 0.0018);
    }
};

QTEST_GUILESS_MAIN(CliLogits)
#include "test_cli_logits.moc"
