// fireside-cli chat, run as a process with piped input: turns, /reset, /exit, end of input, and Ctrl-C
// stopping an answer without ending the program.
#include "engine/format/synth_model.h"
#include "tests/support/test_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <sys/types.h>

using namespace fireside;

class CliChat : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString model_;

    QStringList chat_args(const QStringList& extra) const {
        return QStringList{"chat", "-m", model_, "--temp", "0", "-t", "1"} + extra;
    }

    // Runs the chat with `input` on stdin; returns stdout, checks a clean exit.
    QByteArray chat(const QStringList& extra, const QByteArray& input) {
        QProcess p;
        p.start(test::cli_path(), chat_args(extra));
        if (!p.waitForStarted()) qFatal("cannot start fireside-cli");
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(120000)) qFatal("fireside-cli chat did not finish");
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            qWarning("stderr: %s", p.readAllStandardError().constData());
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 ? p.readAllStandardOutput()
                                                                           : QByteArray("<failed>");
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        SynthSpec spec;
        spec.shape = {512, 64, 4, 2, 2, 192, 256};
        spec.seed = 9;
        model_ = dir_.filePath("synth-chat.bin");
        write_synth_model(model_.toStdString(), SynthModel(spec), require_quant_mix("f32"),
                          ModelWriteOptions{});
    }

    // Each line is a message and each answer one output line; after /reset the same message gets the
    // same greedy answer as at the start, while the second turn (which sees the first) differs.
    void piped_turns_and_reset() {
        const QByteArray out =
            chat({"-n", "6", "--template", "raw"}, "Hello\nHello\n/reset\nHello\n/exit\nignored\n");
        const QList<QByteArray> lines = out.split('\n');
        QCOMPARE(lines.size(), 5); // three answers, the reset note, and the empty rest after the last newline
        QCOMPARE(lines[2], QByteArray("[conversation cleared]"));
        QVERIFY(!lines[0].isEmpty());
        QCOMPARE(lines[3], lines[0]);
        QVERIFY(lines[1] != lines[0]);
        QCOMPARE(lines[4], QByteArray());
    }

    // End of input quits like /exit; empty lines are no messages.
    void end_of_input_quits() {
        const QByteArray out = chat({"-n", "4", "-s", "Be kind."}, "\nHi\n");
        QCOMPARE(out.count('\n'), 1);
        QVERIFY(out != "<failed>");
    }

    // Ctrl-C while an answer streams stops that answer; the program goes on to the next message.
    void interrupt_stops_the_answer_only() {
        QProcess p;
        // No token limit and a large context: the random model would go on for a long time.
        p.start(test::cli_path(), chat_args({"--template", "raw", "-c", "4096"}));
        QVERIFY(p.waitForStarted());
        p.write("Tell me everything\n");
        while (p.bytesAvailable() == 0) QVERIFY(p.waitForReadyRead(60000));
        QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
        p.write("/exit\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(out.endsWith(" [stopped]\n"), out.right(80).constData());
    }
};

QTEST_GUILESS_MAIN(CliChat)
#include "test_cli_run_chat.moc"
