#pragma once

#include "engine/quant/block_type.h"
#include "engine/tokenizer/vocab.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fireside {

class MappedFile;

enum class Container {
    Ggjt, // GGML "ggjt" (v3 is the one read; older versions are refused with advice)
    Gguf,
};

// One tensor of a model file. Nothing is copied: `data` points into the file's memory mapping.
struct TensorInfo {
    std::string name;
    BlockType type = BlockType::F32;
    std::vector<int64_t> ne; // ne[0] is the row length, as GGML orders dimensions
    uint64_t offset = 0;     // absolute file offset of the data
    uint64_t n_bytes = 0;
    const std::byte* data = nullptr;

    int64_t n_elements() const;
    int64_t n_rows() const { return ne.empty() || ne[0] == 0 ? 0 : n_elements() / ne[0]; }
};

// A GGUF metadata value: scalars, strings and arrays of either.
using MetaArray = std::variant<std::vector<int64_t>, std::vector<uint64_t>, std::vector<double>,
                               std::vector<bool>, std::vector<std::string>>;
using MetaValue = std::variant<int64_t, uint64_t, double, bool, std::string, MetaArray>;

// The seven hyperparameters a ggjt header stores.
struct GgjtHeader {
    uint32_t n_vocab = 0, n_embd = 0, n_mult = 0, n_head = 0, n_layer = 0, n_rot = 0, ftype = 0;
};

// A model file opened and validated, from either container.
struct ModelFile {
    std::filesystem::path path;
    Container container = Container::Ggjt;
    uint32_t version = 0;
    uint64_t file_bytes = 0;
    GgjtHeader ggjt;                           // ggjt files only
    std::map<std::string, MetaValue> metadata; // GGUF files only
    uint64_t alignment = 32;
    Vocab vocab;
    std::vector<TensorInfo> tensors;
    std::shared_ptr<const MappedFile> mapping;

    const TensorInfo* find(std::string_view name) const;
};

// Limits past which a file is refused as corrupt instead of trusting its counts: every count is also
// checked against the bytes left in the file before anything is allocated, so a bad file can never make
// the reader allocate much more than the file's own size.
struct FormatLimits {
    static constexpr uint64_t max_vocab = 1u << 22;           // 4M tokens (LLaMA: 32000)
    static constexpr uint64_t max_token_bytes = 1u << 16;     // one token's text
    static constexpr uint64_t max_tensors = 1u << 16;         // a 70B LLaMA has 723
    static constexpr uint64_t max_name_bytes = 256;           // tensor names (GGML's own limit is 64)
    static constexpr int64_t max_dim = int64_t{1} << 32;      // any one dimension
    static constexpr int64_t max_elements = int64_t{1} << 40; // one tensor (a 70B's largest has 2^30)
    static constexpr uint64_t max_metadata_kv = 1u << 16;     // GGUF key/value pairs
    static constexpr uint64_t max_key_bytes = 1u << 16;       // a GGUF key
    static constexpr uint64_t max_string_bytes = 1u << 26;    // a GGUF string value (64 MiB)
    static constexpr uint64_t max_array_items = 1u << 26;     // a GGUF array
    static constexpr uint64_t max_alignment = 1u << 16;       // GGUF general.alignment
};

// Opens, maps and validates a GGML ggjt v3 or GGUF v2/v3 file without reading the tensor data.
// Throws Error("<file>: <problem>") for anything it cannot use.
ModelFile open_model_file(const std::filesystem::path& path);

// The same parse on bytes already in memory (fuzzers, tests, files inside other containers). The result's
// tensor `data` pointers point into `bytes`, which must outlive it; `mapping` is left empty. `name` is the
// file name used in error messages.
ModelFile parse_model_file(std::span<const std::byte> bytes, std::string_view name);

} // namespace fireside
