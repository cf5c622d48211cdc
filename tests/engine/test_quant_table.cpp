// The block-format table, the f16 conversion and the pack/unpack layouts, on self-made data only.
#include "engine/core/error.h"
#include "engine/quant/block_codes.h"
#include "engine/quant/block_type.h"
#include "engine/quant/fp16.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <bit>
#include <cmath>
#include <random>

using namespace fireside;

namespace {

// The nearest half to f by exhaustive comparison in double (ties to the even bit pattern): an
// independent oracle for f32_to_f16 on finite values.
uint16_t nearest_half_oracle(float f) {
    const double target = std::fabs(static_cast<double>(f));
    const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
    if (target >= 65520.0) return sign | 0x7c00;
    uint16_t best = 0;
    double best_diff = INFINITY;
    for (uint32_t h = 0; h < 0x7c00; ++h) {
        const double diff = std::fabs(static_cast<double>(f16_to_f32(static_cast<uint16_t>(h))) - target);
        if (diff < best_diff || (diff == best_diff && (h & 1) == 0)) {
            best_diff = diff;
            best = static_cast<uint16_t>(h);
        }
    }
    return sign | best;
}

} // namespace

class TestQuantTable : public QObject {
    Q_OBJECT

private slots:
    void table_lists_every_format_once_with_ggml_ids_and_names() {
        const std::vector<std::pair<uint32_t, const char*>> expected = {
            {0, "f32"},  {1, "f16"},   {2, "q4_0"},  {3, "q4_1"},  {6, "q5_0"},  {7, "q5_1"},  {8, "q8_0"},
            {9, "q8_1"}, {10, "q2_K"}, {11, "q3_K"}, {12, "q4_K"}, {13, "q5_K"}, {14, "q6_K"}, {15, "q8_K"}};
        QCOMPARE(all_block_traits().size(), expected.size());
        for (const auto& [id, name] : expected) {
            const BlockTraits* t = find_block_traits(id);
            QVERIFY2(t != nullptr, name);
            QCOMPARE(QString::fromLatin1(t->name.data(), t->name.size()), QString::fromLatin1(name));
            QCOMPARE(block_type_from_name(name), std::optional<BlockType>(t->type));
            QCOMPARE(&block_traits(t->type), t);
            QVERIFY(t->dequantize_row != nullptr && t->quantize_row != nullptr && t->vec_dot != nullptr);
        }
        for (uint32_t retired : {4u, 5u, 16u, 19u, 1000u, 0xffffffffu})
            QVERIFY(find_block_traits(retired) == nullptr);
        QVERIFY(!block_type_from_name("Q4_0").has_value()); // names are case-sensitive, as in GGML
        QVERIFY(!block_type_from_name("q4_k").has_value());
        QVERIFY(!block_type_from_name("").has_value());
        QVERIFY_THROWS_EXCEPTION(Error, block_traits(static_cast<BlockType>(4)));
    }

    void block_sizes_match_the_file_formats() {
        const std::vector<std::tuple<BlockType, int64_t, size_t>> sizes = {
            {BlockType::F32, 1, 4},      {BlockType::F16, 1, 2},      {BlockType::Q4_0, 32, 18},
            {BlockType::Q4_1, 32, 20},   {BlockType::Q5_0, 32, 22},   {BlockType::Q5_1, 32, 24},
            {BlockType::Q8_0, 32, 34},   {BlockType::Q8_1, 32, 40},   {BlockType::Q2_K, 256, 84},
            {BlockType::Q3_K, 256, 110}, {BlockType::Q4_K, 256, 144}, {BlockType::Q5_K, 256, 176},
            {BlockType::Q6_K, 256, 210}, {BlockType::Q8_K, 256, 292}};
        for (const auto& [type, values, bytes] : sizes) {
            QCOMPARE(block_traits(type).block_values, values);
            QCOMPARE(block_traits(type).block_bytes, bytes);
            QCOMPARE(block_traits(type).quantized, values > 1);
        }
    }

    void row_bytes_requires_whole_blocks() {
        QCOMPARE(row_bytes(BlockType::F32, 7), size_t(28));
        QCOMPARE(row_bytes(BlockType::Q4_0, 4096), size_t(128 * 18));
        QCOMPARE(row_bytes(BlockType::Q6_K, 1536), size_t(6 * 210));
        QCOMPARE(row_bytes(BlockType::Q8_0, 0), size_t(0));
        QVERIFY_THROWS_EXCEPTION(Error, row_bytes(BlockType::Q8_0, 172)); // the misaligned stories file
        QVERIFY_THROWS_EXCEPTION(Error, row_bytes(BlockType::Q4_K, 4000));
        QVERIFY_THROWS_EXCEPTION(Error, row_bytes(BlockType::Q4_0, -32));
        try {
            row_bytes(BlockType::Q8_0, 172);
        } catch (const Error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("172") && message.contains("q8_0") && message.contains("32"), e.what());
        }
    }

    void half_to_float_is_exact_and_round_trips() {
        QCOMPARE(f16_to_f32(0x3c00), 1.0f);
        QCOMPARE(f16_to_f32(0xc000), -2.0f);
        QCOMPARE(f16_to_f32(0x7bff), 65504.0f);
        QCOMPARE(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24));
        QCOMPARE(f16_to_f32(0x0400), std::ldexp(1.0f, -14));
        QVERIFY(std::isinf(f16_to_f32(0x7c00)) && f16_to_f32(0x7c00) > 0);
        QVERIFY(std::isinf(f16_to_f32(0xfc00)) && f16_to_f32(0xfc00) < 0);
        QVERIFY(std::signbit(f16_to_f32(0x8000)) && f16_to_f32(0x8000) == 0.0f);
        for (uint32_t h = 0; h < 0x10000; ++h) {
            const auto half = static_cast<uint16_t>(h);
            const float f = f16_to_f32(half);
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
                QVERIFY(std::isnan(f));
                QVERIFY(std::isnan(f16_to_f32(f32_to_f16(f)))); // nan stays nan
                continue;
            }
            QCOMPARE(f32_to_f16(f), half);
        }
    }

    void float_to_half_rounds_to_nearest_even() {
        QCOMPARE(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), uint16_t(0x3c00));     // tie -> even (down)
        QCOMPARE(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), uint16_t(0x3c02)); // tie -> even (up)
        QCOMPARE(f32_to_f16(65504.0f), uint16_t(0x7bff));
        QCOMPARE(f32_to_f16(65519.996f), uint16_t(0x7bff));
        QCOMPARE(f32_to_f16(65520.0f), uint16_t(0x7c00)); // the tie above the largest half is inf
        QCOMPARE(f32_to_f16(-1e10f), uint16_t(0xfc00));
        QCOMPARE(f32_to_f16(std::ldexp(1.0f, -25)), uint16_t(0x0000)); // tie between 0 and 2^-24 -> 0
        QCOMPARE(f32_to_f16(std::ldexp(3.0f, -26)), uint16_t(0x0001));
        QCOMPARE(f32_to_f16(std::ldexp(3.0f, -25)), uint16_t(0x0002));    // 1.5 units -> 2 (even)
        QCOMPARE(f32_to_f16(std::ldexp(1023.5f, -24)), uint16_t(0x0400)); // rounds up into the normals
        QCOMPARE(f32_to_f16(-std::ldexp(1.0f, -30)), uint16_t(0x8000));
        QCOMPARE(f32_to_f16(std::ldexp(1.0f, -140)), uint16_t(0x0000)); // float subnormal
        QCOMPARE(f32_to_f16(INFINITY), uint16_t(0x7c00));
        QVERIFY((f32_to_f16(NAN) & 0x7c00) == 0x7c00 && (f32_to_f16(NAN) & 0x3ff) != 0);
        std::mt19937 rng(7);
        std::uniform_int_distribution<uint32_t> bits(0, 0xffffffffu);
        for (int i = 0; i < 3000; ++i) {
            // Random floats concentrated on the half range: exponents 2^-27 .. 2^17.
            uint32_t b = bits(rng);
            b = (b & 0x807fffffu) | ((100u + (b >> 23) % 45u) << 23);
            const float f = std::bit_cast<float>(b);
            QCOMPARE(f32_to_f16(f), nearest_half_oracle(f));
        }
    }

    void codes_pack_and_unpack_inverse_of_each_other() {
        std::mt19937 rng(3);
        auto random_codes = [&](int count, int bits) {
            std::vector<uint8_t> v(static_cast<size_t>(count));
            for (uint8_t& c : v) c = static_cast<uint8_t>(rng() & ((1u << bits) - 1u));
            return v;
        };
        uint8_t out[256];
        {
            const auto in = random_codes(32, 5);
            uint8_t qs[16], qh[4];
            codes::pack_nibbles32(in.data(), qs);
            codes::pack_fifth_bits32(in.data(), qh);
            codes::unpack_nibbles32(qs, out);
            codes::unpack_fifth_bits32(qh, out);
            QVERIFY(std::equal(in.begin(), in.end(), out));
        }
        {
            const auto in = random_codes(256, 3);
            BlockQ3_K b{};
            codes::pack_q3_K(in.data(), b);
            codes::unpack_q3_K(b, out);
            QVERIFY(std::equal(in.begin(), in.end(), out));
        }
        {
            const auto in = random_codes(256, 5);
            BlockQ5_K b{};
            codes::pack_q5_K(in.data(), b);
            codes::unpack_q5_K(b, out);
            QVERIFY(std::equal(in.begin(), in.end(), out));
        }
        {
            const auto in = random_codes(256, 6);
            BlockQ6_K b{};
            codes::pack_q6_K(in.data(), b);
            codes::unpack_q6_K(b, out);
            QVERIFY(std::equal(in.begin(), in.end(), out));
        }
        {
            const auto scales = random_codes(8, 6), mins = random_codes(8, 6);
            uint8_t packed[12], s[8], m[8];
            codes::pack_scales_mins_k4(scales.data(), mins.data(), packed);
            codes::unpack_scales_mins_k4(packed, s, m);
            QVERIFY(std::equal(scales.begin(), scales.end(), s));
            QVERIFY(std::equal(mins.begin(), mins.end(), m));
        }
        {
            const auto scales = random_codes(16, 6);
            uint8_t packed[12], s[16];
            codes::pack_scales_q3_K(scales.data(), packed);
            codes::unpack_scales_q3_K(packed, s);
            QVERIFY(std::equal(scales.begin(), scales.end(), s));
        }
    }

    void dequantizers_follow_the_documented_layouts() {
        // Hand-built blocks with known values, independent of the quantizers.
        BlockQ4_0 q4{};
        q4.d = f32_to_f16(0.5f);
        q4.qs[0] = 0x9f; // value 0: 15 - 8 = 7, value 16: 9 - 8 = 1
        float y[256];
        block_traits(BlockType::Q4_0).dequantize_row(&q4, y, 32);
        QCOMPARE(y[0], 3.5f);
        QCOMPARE(y[16], 0.5f);
        QCOMPARE(y[1], -4.0f);

        BlockQ5_0 q5{};
        q5.d = f32_to_f16(1.0f);
        q5.qh[2] = 0x01; // fifth bit of value 16
        block_traits(BlockType::Q5_0).dequantize_row(&q5, y, 32);
        QCOMPARE(y[16], 0.0f); // (0 | 16) - 16
        QCOMPARE(y[0], -16.0f);

        BlockQ4_K q4k{};
        q4k.d = f32_to_f16(1.0f);
        q4k.dmin = f32_to_f16(0.25f);
        const uint8_t scales[8] = {1, 2, 3, 4, 5, 6, 7, 63};
        const uint8_t mins[8] = {0, 0, 0, 0, 0, 0, 0, 40};
        codes::pack_scales_mins_k4(scales, mins, q4k.scales);
        q4k.qs[96 + 5] = 0x30; // value 192 + 32 + 5 (sub-block 7) has code 3
        block_traits(BlockType::Q4_K).dequantize_row(&q4k, y, 256);
        QCOMPARE(y[229], 63.0f * 3.0f - 10.0f);
        QCOMPARE(y[228], -10.0f);
        QCOMPARE(y[5], 0.0f);

        BlockQ6_K q6k{};
        q6k.d = f32_to_f16(2.0f);
        q6k.scales[15] = -3;
        q6k.ql[64 + 32 + 31] = 0x50; // value 128 + 96 + 31 = 255: high nibble 5
        q6k.qh[32 + 31] = 0xc0;      // top bits 3 -> code 0x35 = 53
        block_traits(BlockType::Q6_K).dequantize_row(&q6k, y, 256);
        QCOMPARE(y[255], 2.0f * -3.0f * (53 - 32));
    }
};

QTEST_GUILESS_MAIN(TestQuantTable)
#include "test_quant_table.moc"
