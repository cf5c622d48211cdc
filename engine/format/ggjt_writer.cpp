#include "engine/format/ggjt_writer.h"

#include "engine/core/error.h"
#include "engine/format/atomic_file_writer.h"

#include <fmt/format.h>
#include <limits>

namespace fireside {

namespace {

constexpr uint32_t kGgjtMagic = 0x67676a74; // "ggjt" read as a little-endian u32
constexpr uint32_t kGgjtVersion = 3;
constexpr uint64_t kGgjtAlignment = 32;

} // namespace

int64_t n_ff_from_n_mult(int64_t n_embd, int64_t n_mult) {
    if (n_mult <= 0) return 0;
    int64_t raw = 8 * n_embd / 3;
    return (raw + n_mult - 1) / n_mult * n_mult;
}

std::optional<uint32_t> find_n_mult(int64_t n_embd, int64_t n_ff) {
    if (n_embd <= 0 || n_ff <= 0 || n_ff > std::numeric_limits<uint32_t>::max()) return std::nullopt;
    if (n_ff_from_n_mult(n_embd, 256) == n_ff) return 256;
    // Any working n_mult divides n_ff, so walking the divisor pairs (d, n_ff / d) up to sqrt(n_ff) finds
    // the smallest in O(sqrt(n_ff)) even for absurd widths.
    std::optional<uint32_t> best;
    for (int64_t d = 1; d * d <= n_ff; ++d) {
        if (n_ff % d != 0) continue;
        for (int64_t m : {d, n_ff / d})
            if (n_ff_from_n_mult(n_embd, m) == n_ff && (!best || m < *best)) best = static_cast<uint32_t>(m);
    }
    return best;
}

uint32_t require_n_mult(int64_t n_embd, int64_t n_ff) {
    auto m = find_n_mult(n_embd, n_ff);
    if (!m)
        throw Error(fmt::format("a ggjt header cannot describe n_ff {} with n_embd {}: the old loaders "
                                "compute n_ff as a multiple of n_mult no smaller than floor(8*n_embd/3) = "
                                "{}; write GGUF instead",
                                n_ff, n_embd, 8 * n_embd / 3));
    return *m;
}

std::string ggjt_token_text(const Vocab& vocab, size_t id) {
    auto is = [&](int32_t special) { return special >= 0 && static_cast<size_t>(special) == id; };
    if (is(vocab.unk)) return " \xE2\x81\x87 ";
    if (is(vocab.bos) || is(vocab.eos)) return {};
    return vocab.text[id];
}

void write_ggjt(const std::filesystem::path& path, const GgjtHeader& header, const Vocab& vocab,
                std::span<const TensorToWrite> tensors, const RowProducer& rows,
                const ProgressCallback& progress) {
    const std::string target = path.string();
    if (header.n_vocab != vocab.size())
        throw Error(fmt::format("{}: the header says {} tokens but the vocabulary has {}", target,
                                header.n_vocab, vocab.size()));
    check_tensors_to_write(tensors, target);

    AtomicFileWriter out(path);
    out.put(kGgjtMagic);
    out.put(kGgjtVersion);
    for (uint32_t v : {header.n_vocab, header.n_embd, header.n_mult, header.n_head, header.n_layer,
                       header.n_rot, header.ftype})
        out.put(v);
    for (size_t id = 0; id < vocab.size(); ++id) {
        std::string text = ggjt_token_text(vocab, id);
        out.put(static_cast<uint32_t>(text.size()));
        out.write(text.data(), text.size());
        out.put(id < vocab.score.size() ? vocab.score[id] : 0.0f);
    }

    uint64_t bytes_total = 0, bytes_done = 0;
    for (const TensorToWrite& t : tensors) bytes_total += t.n_bytes();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorToWrite& t = tensors[i];
        out.put(static_cast<uint32_t>(t.ne.size()));
        out.put(static_cast<uint32_t>(t.name.size()));
        out.put(static_cast<uint32_t>(t.type));
        for (int64_t d : t.ne) {
            if (d > std::numeric_limits<uint32_t>::max())
                throw Error(fmt::format("{}: tensor '{}' is too large for a ggjt file (a dimension of {}); "
                                        "write GGUF instead",
                                        target, t.name, d));
            out.put(static_cast<uint32_t>(d));
        }
        out.write(t.name.data(), t.name.size());
        out.pad_to(kGgjtAlignment);
        stream_tensor_data(out, tensors, i, rows, bytes_done, bytes_total, progress);
    }
    out.commit();
}

} // namespace fireside
