// fireside-cli run: llama.cpp main's greedy output byte for byte on the shared stories models, and on
// a random-weight model the project writes itself, the same ids as a greedy loop over LlamaModel.
#include "engine/format/synth_model.h"
#include "engine/model/llama_model.h"
#include "engine/session/model_loader.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

using namespace fireside;

namespace {

// The JSON array on the last line of `out`, and the text before that line.
std::pair<std::string, std::vector<int32_t>> split_ids(const std::string& out) {
    const size_t open = out.rfind("\n[");
    if (open == std::string::npos || out.back() != '\n') return {out, {}};
    const QByteArray json = QByteArray::fromStdString(out.substr(open + 1));
    return {out.substr(0, open), test::json_ids(QJsonDocument::fromJson(json).array())};
}

std::vector<std::string> greedy_args(const std::string& model, int n) {
    return {"run",
            "-m",
            model,
            "-p",
            "Once upon a time",
            "-n",
            std::to_string(n),
            "--temp",
            "0",
            "--repeat-penalty",
            "1.0",
            "-t",
            "1"};
}

} // namespace

class CliRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string synth_path_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        SynthSpec spec;
        spec.shape = {512, 64, 4, 2, 2, 192, 256};
        spec.seed = 5;
        synth_path_ = dir_.filePath("synth-run.bin").toStdString();
        write_synth_model(synth_path_, SynthModel(spec), require_quant_mix("f32"), ModelWriteOptions{});
    }

    // The reference greedy runs: main's stdout and its generated ids.
    void matches_main_greedy_data() { test::add_greedy_reference_rows(); }

    void matches_main_greedy() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, file);
        const QJsonObject g =
            test::read_json(test::shared_path("reference/greedy/" + file.toStdString())).object();
        const std::string model = test::shared_path("models/" + g["model"].toString().toStdString()).string();
        const std::vector<int32_t> expected = test::json_ids(g["generated_ids"].toArray());
        QString text_file = file;
        text_file.replace(".json", ".txt");
        const QByteArray expected_text =
            test::read_file(test::shared_path("reference/greedy/" + text_file.toStdString()));

        const test::CliResult plain = test::run_cli(greedy_args(model, static_cast<int>(expected.size())));
        QCOMPARE(plain.status, 0);
        std::vector<std::string> with_ids = greedy_args(model, static_cast<int>(expected.size()));
        with_ids.push_back("--print-ids");
        const test::CliResult r = test::run_cli(with_ids);
        QCOMPARE(r.status, 0);
        const auto [text, ids] = split_ids(r.out);
        QCOMPARE(text, plain.out);
        size_t same = 0;
        while (same < ids.size() && same < expected.size() && ids[same] == expected[same]) ++same;
        qInfo("%s: %zu of %zu ids as main", qPrintable(file), same, expected.size());
        // F32 weights leave no rounding choices: the output is main's, byte for byte. Quantized weights
        // round activations, and a greedy run leaves the reference for good at the first near-tie.
        if (g["model"].toString().contains(".f32.")) {
            QCOMPARE(ids, expected);
            QCOMPARE(QByteArray::fromStdString(plain.out), expected_text);
        } else {
            QVERIFY2(same >= 16, "the opening of the greedy continuation differs from main's");
            // The echo and the text of the agreeing tokens are main's bytes too.
            const Tokenizer tokenizer(open_model_file(model).vocab);
            std::vector<int32_t> shown = test::json_ids(g["prompt_ids"].toArray());
            shown.insert(shown.end(), expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(same));
            const std::string agreed = detokenize(tokenizer.vocab(), shown, Detokenizer::Mode::Raw);
            QVERIFY(plain.out.starts_with(agreed));
            QVERIFY(expected_text.startsWith(QByteArray::fromStdString(agreed)));
        }
    }

    // On the project's own model: the ids are a greedy loop's over the model, the text is the echo of the
    // prompt followed by those tokens' bytes.
    void greedy_on_synth_model() {
        std::vector<std::string> args = greedy_args(synth_path_, 24);
        args.push_back("--print-ids");
        const test::CliResult r = test::run_cli(args);
        QCOMPARE(r.status, 0);
        const auto [text, ids] = split_ids(r.out);
        QCOMPARE(ids.size(), size_t{24});

        LoadOptions load;
        load.path = synth_path_;
        load.n_ctx = 64;
        load.n_threads = 1;
        auto model = load_model(load);
        const Tokenizer tokenizer(model->file().vocab);
        std::vector<int32_t> tokens = tokenizer.tokenize("Once upon a time", true, true);
        const size_t n_prompt = tokens.size();
        std::vector<float> logits = model->forward(Batch{tokens, 0});
        std::vector<int32_t> expected;
        while (expected.size() < 24) {
            const auto next =
                static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
            expected.push_back(next);
            if (next == tokenizer.eos()) break;
            const int32_t one[] = {next};
            logits = model->forward(Batch{one, static_cast<int64_t>(n_prompt + expected.size() - 1)});
        }
        QCOMPARE(ids, expected);
        tokens.insert(tokens.end(), expected.begin(), expected.end());
        QCOMPARE(text, detokenize(tokenizer.vocab(), tokens, Detokenizer::Mode::Raw));
        QVERIFY(text.starts_with(" Once upon a time"));
    }

    // -n bounds the answer; a seeded sampled run repeats itself and differs from another seed's.
    void sampling_flags() {
        auto sampled = [&](const std::string& seed) {
            return test::run_cli({"run",       "-m",
                                  synth_path_, "-p",
                                  "Hello",     "-n",
                                  "12",        "--seed",
                                  seed,        "--temp",
                                  "1.0",       "--top-k",
                                  "0",         "--top-p",
                                  "1",         "--min-p",
                                  "0.01",      "--repeat-penalty",
                                  "1.2",       "--repeat-last-n",
                                  "16",        "--presence-penalty",
                                  "0.1",       "--frequency-penalty",
                                  "0.1",       "-t",
                                  "1",         "--print-ids"});
        };
        const test::CliResult a = sampled("7"), b = sampled("7"), c = sampled("8");
        QCOMPARE(a.status, 0);
        QCOMPARE(a.out, b.out);
        QCOMPARE(split_ids(a.out).second.size(), size_t{12});
        QVERIFY(split_ids(a.out).second != split_ids(c.out).second);
        const test::CliResult m = test::run_cli({"run", "-m", synth_path_, "-p", "Hello", "-n", "5",
                                                 "--mirostat", "2", "--mirostat-lr", "0.2", "--mirostat-ent",
                                                 "4", "--seed", "1", "-t", "1", "--print-ids"});
        QCOMPARE(m.status, 0);
        QCOMPARE(split_ids(m.out).second.size(), size_t{5});
    }

    // With a chat template the prompt is the user's turn, echoed as the template renders it.
    void chat_template_prompt() {
        const test::CliResult r =
            test::run_cli({"run", "-m", synth_path_, "-p", "Tell me a story", "-s", "Be brief.", "--template",
                           "orca-hashes", "-n", "8", "--temp", "0", "-t", "1", "--print-ids"});
        QCOMPARE(r.status, 0);
        QVERIFY2(
            r.out.starts_with("### System:\nBe brief.\n\n### User:\nTell me a story\n\n### Assistant:\n"),
            r.out.c_str());
        QVERIFY(!split_ids(r.out).second.empty());
        const test::CliResult custom =
            test::run_cli({"run", "-m", synth_path_, "-p", "Hi", "--template", "Q: {user}\\nA:{assistant}\\n",
                           "-n", "3", "--temp", "0", "-t", "1"});
        QCOMPARE(custom.status, 0);
        QVERIFY(custom.out.starts_with("Q: Hi\nA:"));
    }

    void bad_options_are_refused() {
        auto fails = [&](std::vector<std::string> args, const std::string& needle) {
            const test::CliResult r = test::run_cli(args);
            QCOMPARE(r.status, 1);
            QVERIFY2(r.err.find(needle) != std::string::npos, r.err.c_str());
        };
        fails({"run", "-m", synth_path_}, "-p PROMPT");
        fails({"run", "-p", "x"}, "-m MODEL");
        fails({"run", "-m", synth_path_, "-p", "x", "-s", "sys"}, "--template");
        fails({"run", "-m", synth_path_, "-p", "x", "--mirostat", "3"}, "--mirostat");
        fails({"run", "-m", synth_path_, "-p", "x", "--template", "nonesuch"}, "nonesuch");
        fails({"run", "-m", synth_path_, "-p", "x", "--tmep", "0"}, "--tmep");
        fails({"run", "-m", synth_path_, "-p", "x", "-c", "0"}, "-c");
        fails({"run", "-m", dir_.filePath("missing.bin").toStdString(), "-p", "x"}, "missing.bin");
    }
};

QTEST_GUILESS_MAIN(CliRun)
#include "test_cli_run.moc"
