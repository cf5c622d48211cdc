// The tokenizer against llama.cpp's own ids (../shared/reference/tokenize.jsonl): every line, for
// both vocabularies and all four modes, must match exactly, with the vocabulary read by our own
// reader from the .bin files and, for TinyStories, from the GGUF conversion too.
#include "engine/format/model_file.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>
#include <map>

using namespace fireside;

namespace {

struct Case {
    std::string vocab;
    std::string model;
    std::string text;
    bool add_bos = false;
    bool space_prefix = false;
    std::vector<int32_t> ids;
};

std::vector<Case> load_cases() {
    std::vector<Case> cases;
    const QByteArray all = test::read_file(test::shared_path("reference/tokenize.jsonl"));
    for (const QByteArray& line : all.split('\n')) {
        if (line.trimmed().isEmpty()) continue;
        QJsonParseError error{};
        const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
        if (error.error != QJsonParseError::NoError) qFatal("bad JSON line in tokenize.jsonl");
        Case c;
        c.vocab = o.value("vocab").toString().toStdString();
        c.model = o.value("model").toString().toStdString();
        const QByteArray utf8 = o.value("text").toString().toUtf8();
        c.text.assign(utf8.constData(), static_cast<size_t>(utf8.size()));
        c.add_bos = o.value("add_bos").toBool();
        c.space_prefix = o.value("space_prefix").toBool();
        for (const QJsonValue& v : o.value("ids").toArray()) c.ids.push_back(v.toInt());
        cases.push_back(std::move(c));
    }
    return cases;
}

QString describe(const Case& c, const std::vector<int32_t>& got) {
    const auto ids = [](const std::vector<int32_t>& v) {
        QStringList s;
        for (int32_t i : v) s << QString::number(i);
        return s.join(',');
    };
    return QString("%1 bos=%2 space=%3 text=%4\n  expected [%5]\n  got      [%6]")
        .arg(QString::fromStdString(c.vocab))
        .arg(c.add_bos)
        .arg(c.space_prefix)
        .arg(QString::fromUtf8(QByteArray::fromStdString(c.text)).toUtf8().toPercentEncoding(" "))
        .arg(ids(c.ids), ids(got));
}

// Runs every case of `vocab_name` (all of them when empty) through a tokenizer; returns the number
// that match and prints the ones that do not.
int count_matches(const std::vector<Case>& cases, const std::string& vocab_name,
                  std::map<std::string, Tokenizer>& tokenizers, const std::string& model_override = {}) {
    int matches = 0;
    for (const Case& c : cases) {
        if (!vocab_name.empty() && c.vocab != vocab_name) continue;
        const std::string model = model_override.empty() ? "models/" + c.model : model_override;
        auto it = tokenizers.find(model);
        if (it == tokenizers.end())
            it = tokenizers.emplace(model, Tokenizer(open_model_file(test::shared_path(model)).vocab)).first;
        const std::vector<int32_t> got = it->second.tokenize(c.text, c.add_bos, c.space_prefix);
        if (got == c.ids)
            ++matches;
        else
            qWarning("%s", qPrintable(describe(c, got)));
    }
    return matches;
}

} // namespace

class TestTokenizerReference : public QObject {
    Q_OBJECT

private slots:
    void every_reference_line_matches() {
        FIRESIDE_REQUIRE_SHARED();
        const std::vector<Case> cases = load_cases();
        QCOMPARE(cases.size(), size_t(528));
        std::map<std::string, Tokenizer> tokenizers;
        const int tiny = count_matches(cases, "tinystories-512", tokenizers);
        const int llama = count_matches(cases, "llama-32000", tokenizers);
        qInfo("tinystories-512: %d of 264 match; llama-32000: %d of 264 match", tiny, llama);
        QCOMPARE(tiny, 264);
        QCOMPARE(llama, 264);
    }

    void gguf_vocabulary_tokenizes_the_same() {
        FIRESIDE_REQUIRE_SHARED();
        const std::vector<Case> cases = load_cases();
        std::map<std::string, Tokenizer> tokenizers;
        const int tiny =
            count_matches(cases, "tinystories-512", tokenizers, "models/gguf/stories260K-ff192.q8_0.gguf");
        QCOMPARE(tiny, 264);
    }

    void reference_ids_detokenize_back_to_the_text() {
        FIRESIDE_REQUIRE_SHARED();
        std::map<std::string, Vocab> vocabs;
        for (const Case& c : load_cases()) {
            auto it = vocabs.find(c.model);
            if (it == vocabs.end())
                it = vocabs.emplace(c.model, open_model_file(test::shared_path("models/" + c.model)).vocab)
                         .first;
            const std::string typed = c.space_prefix ? " " + c.text : c.text;
            QCOMPARE(detokenize(it->second, c.ids, Detokenizer::Mode::Raw), typed);
            if (c.text.empty() || c.text.front() != ' ')
                QCOMPARE(detokenize(it->second, c.ids, Detokenizer::Mode::Display), c.text);
        }
    }
    void raw_detokenizer_reproduces_mains_greedy_output() {
        FIRESIDE_REQUIRE_SHARED();
        const QJsonArray index = test::read_json(test::shared_path("reference/greedy/index.json")).array();
        QVERIFY(index.size() >= 7);
        for (const QJsonValue& entry : index) {
            const QJsonObject e = entry.toObject();
            const QJsonObject run =
                test::read_json(
                    test::shared_path("reference/greedy/" + e.value("file").toString().toStdString()))
                    .object();
            const QByteArray expected = test::read_file(
                test::shared_path("reference/greedy/" + e.value("text_file").toString().toStdString()));
            const Vocab vocab =
                open_model_file(test::shared_path("models/" + e.value("model").toString().toStdString()))
                    .vocab;
            const Tokenizer tokenizer(vocab);
            std::vector<int32_t> ids;
            for (const QJsonValue& v : run.value("prompt_ids").toArray()) ids.push_back(v.toInt());
            // The prompt ids are what our tokenizer makes of main's prompt.
            QCOMPARE(tokenizer.tokenize(e.value("prompt").toString().toStdString(), true, true), ids);
            for (const QJsonValue& v : run.value("generated_ids").toArray()) ids.push_back(v.toInt());
            // Streamed token by token, Raw mode gives main's stdout byte for byte.
            Detokenizer raw(vocab, Detokenizer::Mode::Raw);
            std::string streamed;
            for (int32_t id : ids) streamed += raw.push(id);
            streamed += raw.flush();
            QCOMPARE(QByteArray::fromStdString(streamed), expected);
            // Display mode drops only the dummy space in front of the prompt.
            QCOMPARE(QByteArray::fromStdString(detokenize(vocab, ids, Detokenizer::Mode::Display)),
                     expected.mid(1));
        }
    }
};

QTEST_APPLESS_MAIN(TestTokenizerReference)
#include "test_tokenizer_reference.moc"
