// fireside-cli tokenize, run in-process: on a model file written here with a hand-made vocabulary,
// and against llama.cpp's reference ids when ../shared is present.
#include "engine/format/synth_model.h"
#include "engine/quant/quant_mix.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

using namespace fireside;

namespace {

// <unk>, BOS, EOS, 256 byte tokens, then pieces that merge " Hello" step by step:
// " H" first, then "el", then "lo", then " Hel", then " Hello".
Vocab hello_vocab() {
    Vocab v;
    v.text = {" \xE2\x81\x87 ", "", ""};
    v.kind = {TokenKind::Unknown, TokenKind::Control, TokenKind::Control};
    v.score = {0, 0, 0};
    for (int b = 0; b < 256; ++b) {
        v.text.emplace_back(1, static_cast<char>(b));
        v.kind.push_back(TokenKind::Byte);
        v.score.push_back(0);
    }
    const std::vector<std::pair<std::string, float>> pieces{
        {" H", -1}, {"el", -2}, {"lo", -3}, {" Hel", -4}, {" Hello", -5}};
    for (const auto& [text, score] : pieces) {
        v.text.push_back(text);
        v.kind.push_back(TokenKind::Normal);
        v.score.push_back(score);
    }
    return v;
}

constexpr int kSpH = 259, kEl = 260, kLo = 261, kSpHello = 263;

QJsonArray run_json(const std::vector<std::string>& args) {
    const test::CliResult r = test::run_cli(args);
    if (r.status != 0) qWarning("tokenize failed: %s", r.err.c_str());
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.out), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        qWarning("not a JSON array: %s", r.out.c_str());
    return doc.array();
}

std::vector<int> ids_of(const QJsonArray& a) {
    std::vector<int> out;
    for (const QJsonValue& v : a) out.push_back(v.toInt(-1));
    return out;
}

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string model_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const Vocab vocab = hello_vocab();
        SynthSpec spec;
        spec.shape = *synth_shape_preset("stories260k");
        spec.shape.n_vocab = static_cast<int64_t>(vocab.size());
        spec.shape.n_layer = 1;
        const SynthModel model(spec, vocab);
        model_ = dir_.filePath("hello.bin").toStdString();
        write_synth_model(model_, model, require_quant_mix("f32"), {Container::Ggjt, 1, {}});
    }

    void prints_ids_with_bos_and_space_prefix_by_default() {
        QCOMPARE(ids_of(run_json({"tokenize", "-m", model_, "-p", "Hello"})),
                 (std::vector<int>{1, kSpHello}));
        QCOMPARE(ids_of(run_json({"tokenize", "-m", model_, "-p", "Hello", "--no-bos"})),
                 (std::vector<int>{kSpHello}));
        QCOMPARE(ids_of(run_json(
                     {"tokenize", "--model", model_, "--prompt", "Hello", "--no-bos", "--no-space-prefix"})),
                 (std::vector<int>{3 + 'H', kEl, kLo}));
        QCOMPARE(ids_of(run_json({"tokenize", "-m", model_, "-p", "Hello Hx"})),
                 (std::vector<int>{1, kSpHello, kSpH, 3 + 'x'}));
        // An empty text gives no tokens at all without the space prefix.
        QCOMPARE(ids_of(run_json({"tokenize", "-m", model_, "-p", "", "--no-space-prefix"})),
                 std::vector<int>{});
    }

    void pieces_show_each_token() {
        const QJsonArray a = run_json({"tokenize", "-m", model_, "-p", "Hello\n", "--pieces"});
        QCOMPARE(a.size(), 3);
        QCOMPARE(a[0].toObject().value("id").toInt(), 1);
        QCOMPARE(a[0].toObject().value("piece").toString(), QString("<s>"));
        QCOMPARE(a[1].toObject().value("id").toInt(), kSpHello);
        QCOMPARE(a[1].toObject().value("piece").toString(), QString(" Hello"));
        QCOMPARE(a[2].toObject().value("id").toInt(), 3 + '\n');
        QCOMPARE(a[2].toObject().value("piece").toString(), QString("<0x0A>"));
    }

    void reads_the_text_from_a_file() {
        const std::string path = dir_.filePath("text.txt").toStdString();
        std::ofstream(path, std::ios::binary) << "Hello";
        QCOMPARE(ids_of(run_json({"tokenize", "-m", model_, "-f", path})), (std::vector<int>{1, kSpHello}));
    }

    void usage_errors() {
        test::CliResult r = test::run_cli({"tokenize", "-p", "x"});
        QCOMPARE(r.status, 1);
        QVERIFY(r.err.find("-m MODEL") != std::string::npos);
        r = test::run_cli({"tokenize", "-m", model_});
        QCOMPARE(r.status, 1);
        r = test::run_cli({"tokenize", "-m", model_, "-p", "x", "-f", "y"});
        QCOMPARE(r.status, 1);
        r = test::run_cli({"tokenize", "-m", model_, "-p", "x", "--bogus"});
        QCOMPARE(r.status, 1);
        r = test::run_cli({"tokenize", "-m", dir_.filePath("missing.bin").toStdString(), "-p", "x"});
        QCOMPARE(r.status, 1);
        QVERIFY(r.err.find("missing.bin") != std::string::npos);
        r = test::run_cli({"tokenize", "--help"});
        QCOMPARE(r.status, 0);
        QVERIFY(r.out.find("--no-space-prefix") != std::string::npos);
    }

    void matches_the_reference_ids() {
        FIRESIDE_REQUIRE_SHARED();
        const QByteArray all = test::read_file(test::shared_path("reference/tokenize.jsonl"));
        int checked = 0;
        for (const QByteArray& line : all.split('\n')) {
            if (line.trimmed().isEmpty()) continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            const std::string text = o.value("text").toString().toStdString();
            // Every 8th line keeps this in-process check short; the engine test covers all 528.
            if (checked++ % 8 != 0 || text.empty()) continue;
            std::vector<std::string> args{
                "tokenize", "-m",
                test::shared_path("models/" + o.value("model").toString().toStdString()).string(), "-p",
                text};
            if (!o.value("add_bos").toBool()) args.push_back("--no-bos");
            if (!o.value("space_prefix").toBool()) args.push_back("--no-space-prefix");
            QCOMPARE(run_json(args), o.value("ids").toArray());
        }
        QCOMPARE(checked, 528);
    }
};

QTEST_APPLESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
