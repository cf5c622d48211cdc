// A kill -9 while an answer streams: the transcript on disk is whole, every earlier message, edit and
// setting is there, and the answer has lost at most its last second. The test runs itself as the
// child that is killed.
#include "tests/ui/transcript_test_support.h"
#include "tests/ui/ui_test_support.h"
#include "ui/controllers/chat_controller.h"
#include "ui/controllers/library_controller.h"
#include "ui/main_window.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"

#include <QApplication>
#include <QDateTime>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <csignal>
#include <cstdio>
#include <vector>

using namespace fireside;

namespace {

constexpr char kChildFlag[] = "--stream-until-killed";

// The child: finishes one exchange, changes a setting, then streams an answer and prints every state
// of it that the window shows ("shown <epoch ms> <text>") until it is killed.
int run_child(const QString& data, const QString& model) {
    auto main = test::open_window(data, [] { return std::make_unique<test::SlowWordsBackend>(); });
    if (!test::load_model(*main, model)) return 2;
    main->settings()->setTemperature(0.42);
    if (!main->chat()->send(QStringLiteral("First question"))) return 3;
    if (!test::wait_for([&] { return main->messages()->textAt(1).contains(QStringLiteral("word3")); }))
        return 4;
    main->chat()->stop();
    if (!test::wait_for([&] { return !main->chat()->busy(); })) return 5;
    std::printf("first %s\n", qPrintable(main->messages()->textAt(1)));
    if (!main->chat()->send(QStringLiteral("Tell me everything"))) return 6;
    QString last;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        const QString now = main->messages()->count() > 3 ? main->messages()->textAt(3) : QString();
        if (now == last) return;
        last = now;
        std::printf("shown %lld %s\n", static_cast<long long>(QDateTime::currentMSecsSinceEpoch()),
                    qPrintable(now));
        std::fflush(stdout);
    });
    poll.start(5);
    return QCoreApplication::exec();
}

struct Shown {
    qint64 at_ms;
    QString text;
};

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT

private slots:
    void a_kill_while_streaming_loses_at_most_the_last_second() {
        QTemporaryDir data, models;
        const QString model = test::make_synth_model(models.path());
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), {kChildFlag, data.path(), model});
        QVERIFY(child.waitForStarted());

        QString first;
        std::vector<Shown> shown;
        // Let the answer stream for about two seconds (50 words at 40 ms), then kill the child.
        while (shown.empty() || !shown.back().text.contains(QStringLiteral("word50"))) {
            QVERIFY2(child.state() == QProcess::Running || child.bytesAvailable() > 0, "the child stopped");
            if (!child.canReadLine() && !child.waitForReadyRead(20000)) QFAIL("the child went quiet");
            while (child.canReadLine()) {
                const QString line = QString::fromUtf8(child.readLine()).chopped(1);
                if (line.startsWith(QStringLiteral("first "))) first = line.mid(6);
                if (line.startsWith(QStringLiteral("shown "))) {
                    const qsizetype space = line.indexOf(QLatin1Char(' '), 6);
                    shown.push_back({line.mid(6, space - 6).toLongLong(), line.mid(space + 1)});
                }
            }
        }
        ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
        const qint64 killed_at = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY(first.contains(QStringLiteral("word3")));

        // A new window over the same data finds the conversation whole.
        auto main = test::open_window(data.path());
        QVERIFY(!main->library()->currentId().isEmpty());
        QCOMPARE(main->messages()->count(), 4);
        QCOMPARE(main->messages()->textAt(0), QStringLiteral("First question"));
        QCOMPARE(main->messages()->textAt(1), first);
        QCOMPARE(main->messages()->textAt(2), QStringLiteral("Tell me everything"));
        QCOMPARE(main->settings()->temperature(), 0.42);
        const QString saved = main->messages()->textAt(3);
        QVERIFY2(shown.back().text.startsWith(saved), qPrintable(saved));
        // Everything shown more than a second before the kill is on disk (half a second more for the
        // scheduler of a busy machine).
        for (const Shown& s : shown)
            if (killed_at - s.at_ms > 1500)
                QVERIFY2(saved.startsWith(s.text),
                         qPrintable(QStringLiteral("lost '%1', kept '%2'").arg(s.text, saved)));
        QVERIFY(saved.contains(QStringLiteral("word20")));
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    ui::initialize_application();
    if (argc == 4 && qstrcmp(argv[1], kChildFlag) == 0)
        return run_child(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    TestCrashSafety test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_crash_safety.moc"
