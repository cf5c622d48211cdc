#pragma once

#include "engine/format/model_file.h"
#include "engine/format/tensor_stream.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace fireside {

// The feed-forward width the old ggjt loaders derived from a header: they did not store n_ff but
// computed ceil(floor(8 * n_embd / 3) / n_mult) * n_mult.
int64_t n_ff_from_n_mult(int64_t n_embd, int64_t n_mult);

// An n_mult for which that formula gives n_ff, or nothing when none exists (n_ff < floor(8*n_embd/3)).
// 256 (LLaMA's own `multiple_of`, what the original converters wrote for 7B..65B) is preferred when it
// works; otherwise the smallest n_mult that works (4 for stories260K's 172, 24 for 192, 7168 for 70B).
std::optional<uint32_t> find_n_mult(int64_t n_embd, int64_t n_ff);
// As find_n_mult, throwing Error when a ggjt header cannot express n_ff.
uint32_t require_n_mult(int64_t n_embd, int64_t n_ff);

// The bytes a ggjt file stores for token `id`: the text as it is, except that the unknown token is
// stored as " \u2047 " and BOS/EOS as empty strings, as the llama.cpp-era converters wrote them.
std::string ggjt_token_text(const Vocab& vocab, size_t id);

// Writes a GGML ggjt v3 file: header, vocabulary, then each tensor (u32 n_dims, u32 name length,
// u32 type, u32 ne[], name, zero padding to the next 32-byte file offset, data). The data come from
// `rows` block by block. The file appears at `path` only when complete; throws Error on any failure.
void write_ggjt(const std::filesystem::path& path, const GgjtHeader& header, const Vocab& vocab,
                std::span<const TensorToWrite> tensors, const RowProducer& rows,
                const ProgressCallback& progress = {});

} // namespace fireside
