// The reference dot products against the float dot product of the dequantized operands, for every
// format, on random rows with zero blocks, extreme scales and large mins (no ../shared needed).
#include "engine/quant/block_type.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <cmath>
#include <random>

using namespace fireside;

namespace {

struct Operand {
    std::vector<uint8_t> packed;
    std::vector<float> dequantized;
};

Operand quantize(BlockType type, const std::vector<float>& values) {
    const BlockTraits& t = block_traits(type);
    const auto n = static_cast<int64_t>(values.size());
    Operand op;
    op.packed.resize(row_bytes(type, n));
    op.dequantized.resize(values.size());
    t.quantize_row(values.data(), op.packed.data(), n);
    t.dequantize_row(op.packed.data(), op.dequantized.data(), n);
    return op;
}

} // namespace

class TestQuantDot : public QObject {
    Q_OBJECT

private slots:
    void vec_dot_matches_dot_of_dequantized_operands() {
        constexpr int64_t n = 1024; // four super-blocks, 32 small blocks
        std::mt19937 rng(42);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        auto make = [&](float scale, float offset) {
            std::vector<float> v(n);
            for (float& x : v) x = offset + scale * normal(rng);
            return v;
        };
        struct Case {
            const char* name;
            std::vector<float> x, y;
        };
        std::vector<Case> cases;
        cases.push_back({"gaussian", make(1.0f, 0.0f), make(1.0f, 0.0f)});
        cases.push_back({"tiny x", make(1e-4f, 0.0f), make(1.0f, 0.0f)});
        cases.push_back({"huge x, tiny y", make(500.0f, 0.0f), make(1e-3f, 0.0f)});
        cases.push_back({"large positive min", make(0.1f, 4.0f), make(1.0f, 0.5f)});
        cases.push_back({"large negative min", make(0.1f, -4.0f), make(1.0f, -0.5f)});
        cases.push_back({"all zero x", std::vector<float>(n, 0.0f), make(1.0f, 0.0f)});
        cases.push_back({"all zero y", make(1.0f, 0.0f), std::vector<float>(n, 0.0f)});
        std::vector<float> blocky = make(1.0f, 0.0f);
        for (int64_t i = 0; i < n; i += 512)
            for (int64_t j = 0; j < 256; ++j) blocky[i + j] *= 1e-3f; // super-blocks of very different scale
        for (int64_t j = 0; j < 32; ++j) blocky[300 + j] = 0.0f;      // and one all-zero 32-block
        cases.push_back({"mixed scales", blocky, make(2.0f, 0.0f)});

        for (const BlockTraits& t : all_block_traits()) {
            QVERIFY2(t.vec_dot != nullptr, t.name.data());
            for (const Case& c : cases) {
                const Operand x = quantize(t.type, c.x);
                const Operand y = quantize(t.vec_dot_type, c.y);
                double exact = 0, magnitude = 0;
                for (int64_t i = 0; i < n; ++i) {
                    exact += static_cast<double>(x.dequantized[i]) * y.dequantized[i];
                    magnitude += std::fabs(static_cast<double>(x.dequantized[i]) * y.dequantized[i]);
                }
                const float ours = t.vec_dot(n, x.packed.data(), y.packed.data());
                // Only the float rounding of the dequantized values and of the result separate the two.
                const double tolerance = 1e-6 * magnitude + 1e-30;
                QVERIFY2(std::isfinite(ours), qPrintable(QStringLiteral("%1 %2").arg(t.name.data(), c.name)));
                QVERIFY2(std::fabs(ours - exact) <= tolerance,
                         qPrintable(QStringLiteral("%1, %2: vec_dot %3, dequantized dot %4")
                                        .arg(t.name.data(), c.name)
                                        .arg(double(ours), 0, 'g', 9)
                                        .arg(exact, 0, 'g', 9)));
            }
        }
    }

    void vec_dot_types_pair_as_documented() {
        QCOMPARE(block_traits(BlockType::F32).vec_dot_type, BlockType::F32);
        QCOMPARE(block_traits(BlockType::F16).vec_dot_type, BlockType::F16);
        for (BlockType type : {BlockType::Q4_0, BlockType::Q5_0, BlockType::Q8_0})
            QCOMPARE(block_traits(type).vec_dot_type, BlockType::Q8_0);
        for (BlockType type : {BlockType::Q4_1, BlockType::Q5_1, BlockType::Q8_1})
            QCOMPARE(block_traits(type).vec_dot_type, BlockType::Q8_1);
        for (BlockType type : {BlockType::Q2_K, BlockType::Q3_K, BlockType::Q4_K, BlockType::Q5_K,
                               BlockType::Q6_K, BlockType::Q8_K})
            QCOMPARE(block_traits(type).vec_dot_type, BlockType::Q8_K);
        // Each pair shares its block length, so rows of x and y line up block for block.
        for (const BlockTraits& t : all_block_traits())
            QCOMPARE(block_traits(t.vec_dot_type).block_values, t.block_values);
    }

    void activation_quantizers_follow_the_max_abs_rule() {
        // q8_0/q8_1: the largest magnitude becomes +-127; q8_K: it becomes -128 (float scale), and the
        // 16-value sums are those of the codes. These are what SIMD activation quantizers must reproduce.
        std::vector<float> v(256);
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        for (float& x : v) x = uniform(rng);
        v[17] = 3.0f;
        const Operand q8_0 = quantize(BlockType::Q8_0, v);
        QCOMPARE(static_cast<int8_t>(q8_0.packed[2 + 17]), int8_t(127));
        const Operand q8_1 = quantize(BlockType::Q8_1, v);
        QCOMPARE(static_cast<int8_t>(q8_1.packed[8 + 17]), int8_t(127));
        float d = 0, s = 0;
        std::memcpy(&d, q8_1.packed.data(), 4);
        std::memcpy(&s, q8_1.packed.data() + 4, 4);
        int sum = 0;
        for (int j = 0; j < 32; ++j) sum += static_cast<int8_t>(q8_1.packed[8 + j]);
        QCOMPARE(s, static_cast<float>(sum) * d);
        const Operand q8_K = quantize(BlockType::Q8_K, v);
        QCOMPARE(static_cast<int8_t>(q8_K.packed[4 + 17]), int8_t(-128));
        for (int g = 0; g < 16; ++g) {
            int group = 0;
            for (int l = 0; l < 16; ++l) group += static_cast<int8_t>(q8_K.packed[4 + 16 * g + l]);
            int16_t stored = 0;
            std::memcpy(&stored, q8_K.packed.data() + 4 + 256 + 2 * g, 2);
            QCOMPARE(int(stored), group);
        }
    }
};

QTEST_GUILESS_MAIN(TestQuantDot)
#include "test_quant_dot.moc"
