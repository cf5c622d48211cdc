#include "engine/format/model_writer.h"

#include "engine/core/error.h"
#include "engine/format/ggjt_writer.h"
#include "engine/format/gguf_writer.h"
#include "engine/format/tensor_names.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <mutex>
#include <thread>
#include <vector>

namespace fireside {

void encode_rows(BlockType type, const float* src, int64_t n_rows, int64_t row_length, std::byte* dst) {
    const size_t bytes_per_row = row_bytes(type, row_length);
    if (type == BlockType::F32) {
        std::memcpy(dst, src, static_cast<size_t>(n_rows * row_length) * sizeof(float));
        return;
    }
    const BlockTraits& traits = block_traits(type);
    if (!traits.quantize_row)
        throw Error(
            fmt::format("values cannot be converted to {}: this build has no quantizer for it", traits.name));
    for (int64_t r = 0; r < n_rows; ++r)
        traits.quantize_row(src + r * row_length, dst + static_cast<size_t>(r) * bytes_per_row, row_length);
}

namespace {

// Runs fn(first, count) over [0, n) split into `threads` contiguous parts, rethrowing the first error.
template <typename Fn>
void parallel_ranges(int64_t n, int threads, Fn fn) {
    int parts = static_cast<int>(std::clamp<int64_t>(threads, 1, n));
    if (parts <= 1) {
        fn(int64_t{0}, n);
        return;
    }
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(parts));
    for (int p = 0; p < parts; ++p) {
        int64_t begin = n * p / parts, end = n * (p + 1) / parts;
        pool.emplace_back([&, begin, end] {
            try {
                fn(begin, end - begin);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        });
    }
    for (std::thread& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

} // namespace

void write_llama_model(const std::filesystem::path& path, const LlamaHparams& hparams, const Vocab& vocab,
                       std::span<const TensorToWrite> tensors, const TensorRowSource& source,
                       const ModelWriteOptions& options) {
    const bool gguf = options.container == Container::Gguf;
    std::vector<TensorToWrite> named(tensors.begin(), tensors.end());
    for (TensorToWrite& t : named) t.name = gguf ? to_gguf_name(t.name) : to_ggjt_name(t.name);

    RowProducer rows = [&](size_t index, int64_t first, int64_t n, std::byte* out) {
        const TensorToWrite& t = named[index];
        const size_t bytes_per_row = row_bytes(t.type, t.ne[0]);
        if (const std::byte* stored = source.stored_rows(index, t.type, first)) {
            std::memcpy(out, stored, static_cast<size_t>(n) * bytes_per_row);
            return;
        }
        parallel_ranges(n, options.n_threads, [&](int64_t begin, int64_t count) {
            // A few rows at a time keeps each thread's float buffer small for long rows.
            const int64_t step = std::max<int64_t>(1, (int64_t{1} << 16) / t.ne[0]);
            std::vector<float> values(static_cast<size_t>(std::min(step, count) * t.ne[0]));
            for (int64_t r = begin; r < begin + count; r += step) {
                int64_t k = std::min(step, begin + count - r);
                source.float_rows(index, first + r, k, values.data());
                encode_rows(t.type, values.data(), k, t.ne[0], out + static_cast<size_t>(r) * bytes_per_row);
            }
        });
    };

    if (gguf) {
        write_gguf(path, llama_gguf_metadata(hparams, vocab), named, rows, options.progress);
        return;
    }
    auto u32 = [&](int64_t v, std::string_view what) {
        if (v < 0 || v > 0xffffffffLL)
            throw Error(fmt::format("{}: {} {} does not fit a ggjt header", path.string(), what, v));
        return static_cast<uint32_t>(v);
    };
    GgjtHeader header;
    header.n_vocab = u32(static_cast<int64_t>(vocab.size()), "n_vocab");
    header.n_embd = u32(hparams.n_embd, "n_embd");
    try {
        header.n_mult = require_n_mult(hparams.n_embd, hparams.n_ff);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", path.string(), e.what()));
    }
    header.n_head = u32(hparams.n_head, "n_head");
    header.n_layer = u32(hparams.n_layer, "n_layer");
    header.n_rot = u32(hparams.n_rot, "n_rot");
    header.ftype = hparams.ftype;
    write_ggjt(path, header, vocab, named, rows, options.progress);
}

} // namespace fireside
