#pragma once

#include "engine/quant/block_type.h"
#include "engine/tokenizer/vocab.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
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
    GgjtHeader ggjt;                          // ggjt files only
    std::map<std::string, MetaValue> metadata; // GGUF files only
    uint64_t alignment = 32;
    Vocab vocab;
    std::vector<TensorInfo> tensors;
    std::shared_ptr<const MappedFile> mapping;

    const TensorInfo* find(std::string_view name) const;
};

// Opens, maps and validates a GGML ggjt v3 or GGUF v2/v3 file without reading the tensor data.
// Throws Error("<file>: <problem>") for anything it cannot use.
ModelFile open_model_file(const std::filesystem::path& path);

} // namespace fireside
