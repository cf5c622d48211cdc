#pragma once

#include "engine/format/llama_hparams.h"
#include "engine/format/model_file.h"
#include "engine/format/tensor_stream.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace fireside {

// Where a model's tensor values come from when it is written: as floats (a generator, or a file's
// tensors dequantized), or as stored bytes when the source already holds a tensor in the output type.
class TensorRowSource {
public:
    virtual ~TensorRowSource() = default;
    // Rows [first, first + n) of tensor `index` as n * ne[0] floats. Called from several threads at once.
    virtual void float_rows(size_t index, int64_t first, int64_t n, float* out) const = 0;
    // The stored bytes of row `first` onwards of tensor `index` when the source holds that tensor in
    // exactly `type` (then they are copied byte for byte), else nullptr.
    virtual const std::byte* stored_rows(size_t index, BlockType type, int64_t first) const {
        (void)index, (void)type, (void)first;
        return nullptr;
    }
};

struct ModelWriteOptions {
    Container container = Container::Ggjt;
    int n_threads = 1;
    ProgressCallback progress;
};

// Writes a LLaMA model. `tensors` carry ggjt names (GGUF names are accepted too; each container gets its
// own naming), shapes and the type to store; the source's tensor `i` is tensors[i]. ggjt files get an
// n_mult found by require_n_mult; GGUF files get llama_gguf_metadata. Values are converted to each
// tensor's type with the block table's quantizers, rows in parallel over `n_threads`.
void write_llama_model(const std::filesystem::path& path, const LlamaHparams& hparams, const Vocab& vocab,
                       std::span<const TensorToWrite> tensors, const TensorRowSource& source,
                       const ModelWriteOptions& options);

// Converts `n_rows` rows of `row_length` floats to `type` (f32 copied, others through quantize_row).
void encode_rows(BlockType type, const float* src, int64_t n_rows, int64_t row_length, std::byte* dst);

} // namespace fireside
