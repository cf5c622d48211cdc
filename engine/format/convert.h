#pragma once

#include "engine/format/llama_hparams.h"
#include "engine/format/model_file.h"
#include "engine/format/model_writer.h"
#include "engine/model/model_desc.h"

#include <filesystem>
#include <string>

namespace fireside {

// An opened model file's tensors as a row source: dequantized rows, or the stored bytes when a
// tensor's type is kept.
class ModelFileRowSource : public TensorRowSource {
public:
    explicit ModelFileRowSource(const ModelFile& file) : file_(file) {}
    void float_rows(size_t index, int64_t first, int64_t n, float* out) const override;
    const std::byte* stored_rows(size_t index, BlockType type, int64_t first) const override;

private:
    const ModelFile& file_;
};

// The hyperparameters describe_model infers for `file` (head counts from the tensor shapes, eps, RoPE,
// context length) after `overrides`, with general.name from the file (or its stem for ggjt files).
LlamaHparams llama_hparams_of(const ModelFile& file, const ModelOverrides& overrides = {});

struct ConvertOptions {
    ModelOverrides overrides;
    std::string name; // general.name; empty = from the input
    ProgressCallback progress;
};

// Writes `input` (normally a ggjt v3 file) as GGUF v3 with the full llama metadata; tensor data are
// copied byte for byte, in the input's order, under their GGUF names.
void convert_to_gguf(const ModelFile& input, const std::filesystem::path& output,
                     const ConvertOptions& options = {});

} // namespace fireside
