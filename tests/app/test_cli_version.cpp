// fireside-cli's entry points: --version and --help, both in-process and as the real executable.
#include "tests/support/cli_runner.h"
#include "tests/support/test_support.h"

#include <QProcess>
#include <QtTest>

using namespace fireside;

class TestCliVersion : public QObject {
    Q_OBJECT

private slots:
    void version_in_process() {
        test::CliResult r = test::run_cli({"--version"});
        QCOMPARE(r.status, 0);
        QCOMPARE(QString::fromStdString(r.out), QStringLiteral("fireside-cli " FIRESIDE_VERSION "\n"));
    }

    void version_of_the_executable() {
        QProcess p;
        p.start(test::cli_path(), {"--version"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).trimmed(), QStringLiteral("fireside-cli " FIRESIDE_VERSION));
    }

    void help_lists_commands() {
        test::CliResult r = test::run_cli({"--help"});
        QCOMPARE(r.status, 0);
        QVERIFY(QString::fromStdString(r.out).contains("Usage: fireside-cli"));
        for (const cli::Subcommand& c : cli::subcommands())
            QVERIFY2(r.out.find(std::string(c.name)) != std::string::npos, std::string(c.name).c_str());
    }

    void unknown_command_fails_with_a_message() {
        test::CliResult r = test::run_cli({"frobnicate"});
        QCOMPARE(r.status, 2);
        QVERIFY(QString::fromStdString(r.err).contains("unknown command 'frobnicate'"));
    }

    void no_arguments_prints_usage_and_fails() {
        test::CliResult r = test::run_cli({});
        QCOMPARE(r.status, 2);
        QVERIFY(QString::fromStdString(r.out).contains("Usage:"));
    }
};

QTEST_GUILESS_MAIN(TestCliVersion)
#include "test_cli_version.moc"
