// The stop-string matcher over streamed text: hold-back, release, matches split across pieces and
// inside multi-byte characters, and equivalence of chunked and byte-by-byte input.
#include "engine/session/stop_strings.h"

#include <QtTest>

using namespace fireside;

namespace {

struct Outcome {
    std::string shown;
    bool stopped = false;
    std::string matched;
};

Outcome feed(const std::vector<std::string>& stops, const std::vector<std::string>& pieces) {
    StopStringMatcher m(stops);
    Outcome o;
    for (const std::string& p : pieces) {
        auto r = m.push(p);
        o.shown += r.text;
        if (r.stopped) {
            o.stopped = true;
            o.matched = r.matched;
        }
    }
    o.shown += m.flush();
    return o;
}

std::vector<std::string> bytes_of(const std::string& s) {
    std::vector<std::string> out;
    for (char c : s) out.emplace_back(1, c);
    return out;
}

} // namespace

class TestStopStrings : public QObject {
    Q_OBJECT

private slots:
    void releases_text_that_cannot_start_a_stop_string() {
        StopStringMatcher m({"### User:"});
        auto r = m.push("Hello there");
        QCOMPARE(r.text, std::string("Hello there"));
        QVERIFY(!r.stopped);
        r = m.push("\n\n##");
        QCOMPARE(r.text, std::string("\n\n")); // "##" might begin "### User:"
        r = m.push("# Us");
        QCOMPARE(r.text, std::string());
        r = m.push("ually");
        QCOMPARE(r.text, std::string("### Usually")); // the prefix broke: released in full
        QCOMPARE(m.flush(), std::string());
    }

    void match_split_across_many_pieces_is_trimmed() {
        StopStringMatcher m({"### User:"});
        std::string shown;
        bool stopped = false;
        for (const char* piece : {"The end.", "\n", "\n", "#", "#", "#", " ", "U", "se", "r", ":", " more"}) {
            auto r = m.push(piece);
            shown += r.text;
            if (r.stopped) {
                QVERIFY(!stopped);
                stopped = true;
                QCOMPARE(r.matched, std::string("### User:"));
            }
        }
        QVERIFY(stopped);
        QVERIFY(m.stopped());
        QCOMPARE(shown, std::string("The end.\n\n"));
        QCOMPARE(m.push("ignored").text, std::string());
        QCOMPARE(m.flush(), std::string());
        m.reset();
        QCOMPARE(m.push("again").text, std::string("again"));
    }

    void match_inside_multibyte_characters() {
        // "→ done" with the arrow (E2 86 92) split byte by byte; text before is a 4-byte emoji.
        const std::string stop = "\xE2\x86\x92 done";
        const std::string text = "ok \xF0\x9F\x98\x80 \xE2\x86\x92 done and more";
        const Outcome o = feed({stop}, bytes_of(text));
        QVERIFY(o.stopped);
        QCOMPARE(o.shown, std::string("ok \xF0\x9F\x98\x80 "));
        // A different character sharing the first two bytes (E2 86 91, ↑) does not match and is
        // released whole.
        const Outcome near = feed({stop}, bytes_of("x \xE2\x86\x91 done"));
        QVERIFY(!near.stopped);
        QCOMPARE(near.shown, std::string("x \xE2\x86\x91 done"));
    }

    void held_text_is_released_at_the_end() {
        StopStringMatcher m({"</s>", "User:"});
        QCOMPARE(m.push("bye </").text, std::string("bye "));
        QCOMPARE(m.flush(), std::string("</"));
    }

    void earliest_completed_match_wins_and_chunking_does_not_matter() {
        const std::vector<std::string> stops{"abcdef", "cd", "zz", ""};
        const std::string text = "xxabcdefyy";
        const Outcome whole = feed(stops, {text});
        QVERIFY(whole.stopped);
        QCOMPARE(whole.matched, std::string("cd"));
        QCOMPARE(whole.shown, std::string("xxab"));
        const Outcome bytes = feed(stops, bytes_of(text));
        QCOMPARE(bytes.shown, whole.shown);
        QCOMPARE(bytes.matched, whole.matched);
        // Equal ends: the longer (earlier-starting) match trims more.
        const Outcome tie = feed({"d", "bcd"}, {"abcde"});
        QCOMPARE(tie.matched, std::string("bcd"));
        QCOMPARE(tie.shown, std::string("a"));
    }

    void chunked_and_bytewise_agree_on_many_splits() {
        const std::vector<std::string> stops{"### User:", "\n\n\n", "<|im_end|>"};
        const std::string text = "A story.\n\n## not\n\n#### User? <|im_en no <|im_end|> tail";
        const Outcome reference = feed(stops, bytes_of(text));
        QVERIFY(reference.stopped);
        QCOMPARE(reference.shown, std::string("A story.\n\n## not\n\n#### User? <|im_en no "));
        for (size_t a = 1; a < text.size(); a += 3) {
            for (size_t b = a; b < text.size(); b += 7) {
                const Outcome o = feed(stops, {text.substr(0, a), text.substr(a, b - a), text.substr(b)});
                QCOMPARE(o.shown, reference.shown);
                QCOMPARE(o.matched, reference.matched);
            }
        }
    }

    void no_stop_strings_passes_everything() {
        StopStringMatcher m({});
        QCOMPARE(m.push("anything ### User:").text, std::string("anything ### User:"));
        QVERIFY(!m.stopped());
    }
};

QTEST_APPLESS_MAIN(TestStopStrings)
#include "test_stop_strings.moc"
