#pragma once

#include "engine/format/llama_hparams.h"
#include "engine/format/tensor_stream.h"
#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fireside {

// GGUF metadata in the order it will be written, each value kept already encoded with its exact GGUF
// type (u32 and f32 stay u32 and f32, which a generic variant would lose). Setting a key again
// replaces its value in place.
class GgufMetadata {
public:
    void set_u32(std::string_view key, uint32_t value);
    void set_i32(std::string_view key, int32_t value);
    void set_u64(std::string_view key, uint64_t value);
    void set_f32(std::string_view key, float value);
    void set_bool(std::string_view key, bool value);
    void set_string(std::string_view key, std::string_view value);
    void set_string_array(std::string_view key, std::span<const std::string> values);
    void set_f32_array(std::string_view key, std::span<const float> values);
    void set_i32_array(std::string_view key, std::span<const int32_t> values);

    bool contains(std::string_view key) const;
    size_t size() const { return entries_.size(); }
    // (key, encoded value type + value) pairs.
    const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

private:
    void set(std::string_view key, std::string encoded);
    std::vector<std::pair<std::string, std::string>> entries_;
};

// A token as the llama-family GGUF conversions store it: "<unk>", "<s>", "</s>" for the special ids,
// "<0xNN>" for byte tokens, and U+2581 in place of each space elsewhere.
std::string gguf_token_text(const Vocab& vocab, size_t id);
// The GGUF token type (1 normal, 2 unknown, 3 control, 6 byte, ...); inferred from the id and text when
// the vocabulary carries no kinds.
TokenKind token_kind(const Vocab& vocab, size_t id);

// general.*, llama.* and tokenizer.ggml.* metadata for a LLaMA model, with general.alignment 32.
GgufMetadata llama_gguf_metadata(const LlamaHparams& hparams, const Vocab& vocab);

constexpr uint32_t kGgufAlignment = 32;

// Writes a GGUF v3 file: header, metadata, tensor infos (offsets aligned to `alignment`), padding, then
// each tensor's data from `rows`, block by block. The file appears at `path` only when complete.
void write_gguf(const std::filesystem::path& path, const GgufMetadata& metadata,
                std::span<const TensorToWrite> tensors, const RowProducer& rows,
                const ProgressCallback& progress = {}, uint32_t alignment = kGgufAlignment);

} // namespace fireside
