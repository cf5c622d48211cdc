#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/model/llama_tensors.h"
#include "engine/model/model_desc.h"
#include "engine/quant/block_type.h"
#include "tests/engine/test_format_fixtures.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <algorithm>

using namespace fireside;
namespace fx = fireside::fixture;

namespace {

enum class Outcome { Refused, Opened };

// Opens, describes and maps the bytes; when that succeeds, dequantizes the first and last row of every
// tensor so that any wrong pointer or size would be touched. Anything but fireside::Error escaping fails
// the test (QtTest reports the exception), and an Error must be one line naming the file.
Outcome try_open(std::span<const std::byte> bytes, const std::string& name) {
    try {
        ModelFile f = parse_model_file(bytes, name);
        ModelDesc d = describe_model(f);
        map_llama_tensors(f, d);
        std::vector<float> row;
        for (const TensorInfo& t : f.tensors) {
            const BlockTraits& traits = block_traits(t.type);
            const size_t stride = row_bytes(t.type, t.ne[0]);
            row.resize(size_t(t.ne[0]));
            traits.dequantize_row(t.data, row.data(), t.ne[0]);
            traits.dequantize_row(t.data + stride * size_t(t.n_rows() - 1), row.data(), t.ne[0]);
            if (t.offset + t.n_bytes > bytes.size()) throw std::logic_error("tensor outside the buffer");
        }
        return Outcome::Opened;
    } catch (const Error& e) {
        std::string msg = e.what();
        if (!msg.starts_with(name + ": ") || msg.find('\n') != std::string::npos)
            throw std::logic_error("badly formed error: " + msg);
        return Outcome::Refused;
    }
}

uint64_t data_end(std::span<const std::byte> bytes) {
    uint64_t end = 0;
    for (const TensorInfo& t : parse_model_file(bytes, "x").tensors)
        end = std::max(end, t.offset + t.n_bytes);
    return end;
}

uint64_t first_data(std::span<const std::byte> bytes) {
    uint64_t first = bytes.size();
    for (const TensorInfo& t : parse_model_file(bytes, "x").tensors) first = std::min(first, t.offset);
    return first;
}

// Cuts at every offset below `dense_until` and at a stride after it. A cut file must be refused unless the
// cut leaves every tensor's data whole (GGUF may end with padding).
void check_truncations(const std::vector<std::byte>& bytes, const std::string& name, uint64_t dense_until,
                       uint64_t stride, bool exact_copies) {
    const uint64_t end = data_end(bytes);
    int refused = 0;
    for (uint64_t cut = 0; cut < bytes.size(); cut += cut < dense_until ? 1 : stride) {
        Outcome o;
        if (exact_copies) {
            std::vector<std::byte> prefix(bytes.begin(),
                                          bytes.begin() + std::ptrdiff_t(cut)); // ASan sees overreads
            o = try_open(prefix, name);
        } else {
            o = try_open(std::span(bytes).first(cut), name);
        }
        if (o == Outcome::Opened && cut < end)
            QFAIL(qPrintable(QString("%1 cut at %2 was accepted").arg(name.c_str()).arg(cut)));
        refused += o == Outcome::Refused;
    }
    QVERIFY(refused > 0);
}

// Overwrites single bytes with several values at every offset in `offsets`; refusals and successful opens
// are both fine, crashes and malformed errors are not.
int check_overwrites(std::vector<std::byte>& bytes, const std::string& name,
                     const std::vector<uint64_t>& offsets) {
    int refused = 0;
    for (uint64_t at : offsets) {
        if (at >= bytes.size()) continue;
        const std::byte original = bytes[at];
        const uint8_t o = uint8_t(original);
        for (uint8_t v : {uint8_t(o ^ 0xFF), uint8_t(0x00), uint8_t(0xFF), uint8_t(o + 1), uint8_t(0x80),
                          uint8_t(0x7F)}) {
            if (v == o) continue;
            bytes[at] = std::byte(v);
            refused += try_open(bytes, name) == Outcome::Refused;
        }
        bytes[at] = original;
    }
    return refused;
}

std::vector<uint64_t> range(uint64_t from, uint64_t to, uint64_t step = 1) {
    std::vector<uint64_t> out;
    for (uint64_t i = from; i < to; i += step) out.push_back(i);
    return out;
}

// Offsets of every structural field: the whole region before the first tensor's data, plus the 64 bytes
// before each tensor's data (a ggjt tensor header, name and padding), plus a stride through the data.
std::vector<uint64_t> structural_offsets(std::span<const std::byte> bytes, uint64_t header_step) {
    std::vector<uint64_t> out = range(0, std::min<uint64_t>(first_data(bytes), 4096));
    for (uint64_t at : range(4096, first_data(bytes), header_step)) out.push_back(at);
    for (const TensorInfo& t : parse_model_file(bytes, "x").tensors)
        for (uint64_t at : range(t.offset >= 64 ? t.offset - 64 : 0, t.offset + 8)) out.push_back(at);
    for (uint64_t at : range(first_data(bytes), bytes.size(), 4099)) out.push_back(at);
    return out;
}

} // namespace

class TestFormatCorruption : public QObject {
    Q_OBJECT
private slots:
    void fixtures_valid_before_corruption() {
        QCOMPARE(try_open(fx::build_ggjt(fx::tiny_llama(fx::kQ8_0, 1)), "fixture.bin"), Outcome::Opened);
        QCOMPARE(try_open(fx::build_gguf(fx::tiny_llama(fx::kQ8_0, 1)), "fixture.gguf"), Outcome::Opened);
    }

    void fixture_truncations() {
        auto ggjt = fx::build_ggjt(fx::tiny_llama(fx::kQ8_0, 1));
        check_truncations(ggjt, "fixture.bin", first_data(ggjt), 7, true);
        auto gguf = fx::build_gguf(fx::tiny_llama(fx::kQ8_0, 1));
        check_truncations(gguf, "fixture.gguf", first_data(gguf), 7, true);
        auto gguf_f16 = fx::build_gguf(fx::tiny_llama(fx::kF16, 1), {.version = 2, .alignment = 64});
        check_truncations(gguf_f16, "fixture.gguf", first_data(gguf_f16), 13, true);
    }

    void fixture_overwrites() {
        for (uint32_t type : {uint32_t(fx::kQ8_0), uint32_t(fx::kF16)}) {
            auto ggjt = fx::build_ggjt(fx::tiny_llama(type, 1));
            QVERIFY(check_overwrites(ggjt, "fixture.bin", structural_offsets(ggjt, 1)) > 0);
            auto gguf = fx::build_gguf(fx::tiny_llama(type, 1));
            QVERIFY(check_overwrites(gguf, "fixture.gguf", structural_offsets(gguf, 1)) > 0);
        }
    }

    // Targeted overwrites whose outcome is known.
    void fixture_known_fields() {
        auto ggjt = fx::build_ggjt(fx::tiny_llama(fx::kQ8_0, 1));
        auto set = [](std::vector<std::byte> b, size_t at, uint32_t v) {
            std::memcpy(b.data() + at, &v, 4);
            return b;
        };
        QCOMPARE(try_open(set(ggjt, 0, 0x12345678), "f.bin"), Outcome::Refused);  // magic
        QCOMPARE(try_open(set(ggjt, 4, 2), "f.bin"), Outcome::Refused);           // version
        QCOMPARE(try_open(set(ggjt, 8, 0x7FFFFFFF), "f.bin"), Outcome::Refused);  // n_vocab
        QCOMPARE(try_open(set(ggjt, 12, 33), "f.bin"), Outcome::Refused);         // n_embd vs shapes
        QCOMPARE(try_open(set(ggjt, 20, 5), "f.bin"), Outcome::Refused);          // n_head 5 vs n_embd 32
        QCOMPARE(try_open(set(ggjt, 24, 2000000000), "f.bin"), Outcome::Refused); // n_layer
        QCOMPARE(try_open(set(ggjt, 36, 0xFFFFFFFF), "f.bin"), Outcome::Refused); // first token length
        const uint64_t t0 = first_data(ggjt);
        const size_t header = t0 - 32; // tensor 0's header lies within 32 bytes of padding
        size_t n_dims_at = 0;          // find "tok_embeddings.weight" and step back
        std::string name = "tok_embeddings.weight";
        for (size_t i = header - 64; i < t0; ++i)
            if (std::memcmp(ggjt.data() + i, name.data(), name.size()) == 0) n_dims_at = i - 8 - 12;
        QVERIFY(n_dims_at > 0);
        QCOMPARE(try_open(set(ggjt, n_dims_at, 0), "f.bin"), Outcome::Refused); // n_dims
        QCOMPARE(try_open(set(ggjt, n_dims_at, 9), "f.bin"), Outcome::Refused);
        QCOMPARE(try_open(set(ggjt, n_dims_at + 4, 100000), "f.bin"), Outcome::Refused); // name length
        QCOMPARE(try_open(set(ggjt, n_dims_at + 8, 5), "f.bin"), Outcome::Refused);      // retired type id
        QCOMPARE(try_open(set(ggjt, n_dims_at + 12, 0), "f.bin"), Outcome::Refused);     // ne[0] = 0
        QCOMPARE(try_open(set(ggjt, n_dims_at + 16, 0xFFFFFFFF), "f.bin"), Outcome::Refused); // ne[1] huge
        QCOMPARE(try_open(set(ggjt, t0 + 100, 0xDEADBEEF), "f.bin"), Outcome::Opened);        // inside data
    }

    // One row per shared model file (models/bad is refused whole; see the reader tests).
    void shared_models_truncated_and_overwritten_data() {
        QTest::addColumn<QString>("file");
        if (!test::have_shared()) {
            QTest::newRow("no shared data") << QString();
            return;
        }
        std::vector<std::filesystem::path> files;
        for (const char* dir : {"models", "models/gguf"})
            for (const auto& entry : std::filesystem::directory_iterator(test::shared_path(dir)))
                if (entry.is_regular_file()) files.push_back(entry.path());
        std::ranges::sort(files);
        QVERIFY(files.size() >= 26);
        for (const auto& path : files)
            QTest::newRow(path.filename().string().c_str()) << QString::fromStdString(path.string());
    }

    void shared_models_truncated_and_overwritten() {
        FIRESIDE_REQUIRE_SHARED();
        QFETCH(QString, file);
        const std::filesystem::path path = file.toStdString();
        QByteArray raw = test::read_file(path);
        std::vector<std::byte> bytes(size_t(raw.size()));
        std::memcpy(bytes.data(), raw.constData(), bytes.size());
        const std::string name = path.filename().string();
        QCOMPARE(try_open(bytes, name), Outcome::Opened);
        const bool small = name == "stories260K-ff192.q8_0.bin" || name == "stories260K-ff192.q8_0.gguf";
        // Every byte of the header and vocabulary of the small files, a stride elsewhere.
        check_truncations(bytes, name, small ? first_data(bytes) : 64,
                          std::max<uint64_t>(bytes.size() / (small ? 150 : 60), 1), false);
        std::vector<uint64_t> offsets = small ? structural_offsets(bytes, 1) : structural_offsets(bytes, 997);
        if (!small && offsets.size() > 200) { // an even sample keeps the big files' tensor headers in it
            std::vector<uint64_t> sample;
            for (size_t i = 0; i < 200; ++i) sample.push_back(offsets[i * offsets.size() / 200]);
            offsets = std::move(sample);
        }
        QVERIFY(check_overwrites(bytes, name, offsets) > 0);
    }
};

QTEST_APPLESS_MAIN(TestFormatCorruption)
#include "test_format_corruption.moc"
