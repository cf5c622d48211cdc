// Every SIMD dot-product kernel against the block table's scalar reference, on random blocks with
// zero, tiny, huge and ordinary scales, for every tile shape; the SIMD activation quantizers against
// the scalar ones; and the threaded matmul against a plain loop. The checks themselves are shared with
// kernel_check (tests/kernels), which runs them where Qt is not available (arm64 under an emulator).
#include "engine/cpu/dot_kernels.h"
#include "tests/support/kernel_fixtures.h"

#include <QtTest>
#include <string>

using namespace fireside;
using namespace fireside::test;

namespace {

QString failures(const CheckLog& log) {
    QStringList lines;
    for (const std::string& f : log.failures) lines << QString::fromStdString(f);
    return QString("%1 of %2 checks failed:\n%3")
        .arg(log.failed)
        .arg(log.passed + log.failed)
        .arg(lines.join('\n'));
}

} // namespace

class CpuKernels : public QObject {
    Q_OBJECT

private slots:
    void simd_matches_scalar_reference_data() {
        QTest::addColumn<int>("type");
        for (BlockType t : kWeightTypes)
            QTest::newRow(std::string(block_traits(t).name).c_str()) << static_cast<int>(t);
    }

    void simd_matches_scalar_reference() {
        QFETCH(int, type);
        const auto wt = static_cast<BlockType>(type);
        if (simd_kernels(wt).empty()) QSKIP("no SIMD kernel for this type on this machine");
        CheckLog log;
        fireside::test::simd_matches_scalar_reference(wt, log);
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
        QVERIFY(log.passed > 0);
    }

    void simd_activation_quantizers() {
        CheckLog log;
        fireside::test::simd_activation_quantizers(log);
        if (log.passed + log.failed == 0) QSKIP("no SIMD activation quantizer on this machine");
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
    }

    void matmul_matches_plain_loop() {
        CheckLog log;
        fireside::test::matmul_matches_plain_loop(log);
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
        QCOMPARE(log.passed, 3 * static_cast<int>(std::size(kWeightTypes)));
    }
};

QTEST_GUILESS_MAIN(CpuKernels)
#include "test_cpu_kernels.moc"
