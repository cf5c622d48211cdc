// The scalar dequantizers against llama.cpp's own dequantized rows (../shared/reference/dequant): every
// entry must match bit for bit.
#include "engine/quant/block_type.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>
#include <cstring>

using namespace fireside;

namespace {

QByteArray read_range(const std::filesystem::path& path, qint64 offset, qint64 length) {
    QFile f(QString::fromStdString(path.string()));
    if (!f.open(QIODevice::ReadOnly) || !f.seek(offset)) return {};
    return f.read(length);
}

} // namespace

class TestQuantReference : public QObject {
    Q_OBJECT

private slots:
    void dequantizers_match_reference_bit_for_bit() {
        FIRESIDE_REQUIRE_SHARED();
        const QJsonObject index = test::read_json(test::shared_path("reference/dequant/index.json")).object();
        const QJsonArray entries = index.value("entries").toArray();
        QCOMPARE(entries.size(), 30);
        QSet<QString> types_seen;
        for (const QJsonValue& value : entries) {
            const QJsonObject e = value.toObject();
            const QString label = e.value("file").toString();
            const std::optional<BlockType> type =
                block_type_from_name(e.value("tensor_type").toString().toStdString());
            QVERIFY2(type.has_value(), qPrintable(label));
            types_seen.insert(e.value("tensor_type").toString());
            const BlockTraits& traits = block_traits(*type);
            const int64_t ne0 = e.value("tensor_ne").toArray().at(0).toInteger();
            const int64_t rows =
                e.value("rows").toArray().at(1).toInteger() - e.value("rows").toArray().at(0).toInteger();
            QCOMPARE(static_cast<qint64>(row_bytes(*type, ne0)), e.value("row_bytes").toInteger());
            QCOMPARE(static_cast<qint64>(row_bytes(*type, ne0) * rows),
                     e.value("rows_byte_length").toInteger());

            const QByteArray bytes =
                read_range(test::shared_path("models/" + e.value("model").toString().toStdString()),
                           e.value("rows_byte_offset").toInteger(), e.value("rows_byte_length").toInteger());
            QCOMPARE(bytes.size(), e.value("rows_byte_length").toInteger());
            const std::vector<float> expected =
                test::read_f32(test::shared_path("reference/dequant/" + label.toStdString()));
            QCOMPARE(static_cast<int64_t>(expected.size()), rows * ne0);

            std::vector<float> ours(expected.size());
            const size_t rb = row_bytes(*type, ne0);
            for (int64_t r = 0; r < rows; ++r)
                traits.dequantize_row(bytes.constData() + r * rb, ours.data() + r * ne0, ne0);
            int64_t first_mismatch = -1;
            for (size_t i = 0; i < ours.size() && first_mismatch < 0; ++i)
                if (std::memcmp(&ours[i], &expected[i], sizeof(float)) != 0)
                    first_mismatch = static_cast<int64_t>(i);
            QVERIFY2(
                first_mismatch < 0,
                qPrintable(QStringLiteral("%1: value %2 is %3, reference %4")
                               .arg(label)
                               .arg(first_mismatch)
                               .arg(double(ours[first_mismatch < 0 ? 0 : first_mismatch]), 0, 'g', 9)
                               .arg(double(expected[first_mismatch < 0 ? 0 : first_mismatch]), 0, 'g', 9)));
            QVERIFY(std::memcmp(ours.data(), expected.data(), ours.size() * sizeof(float)) == 0);
        }
        // Every stored format is covered: f16, the legacy formats and all five k-quants.
        for (const char* name :
             {"f16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K"})
            QVERIFY2(types_seen.contains(QString::fromLatin1(name)), name);
    }
};

QTEST_GUILESS_MAIN(TestQuantReference)
#include "test_quant_reference.moc"
