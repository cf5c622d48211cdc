#include "engine/format/convert.h"

#include "engine/core/error.h"

#include <fmt/format.h>
#include <vector>

namespace fireside {

void ModelFileRowSource::float_rows(size_t index, int64_t first, int64_t n, float* out) const {
    const TensorInfo& t = file_.tensors[index];
    const BlockTraits& traits = block_traits(t.type);
    const size_t bytes_per_row = row_bytes(t.type, t.ne[0]);
    for (int64_t r = 0; r < n; ++r)
        traits.dequantize_row(t.data + static_cast<size_t>(first + r) * bytes_per_row, out + r * t.ne[0],
                              t.ne[0]);
}

const std::byte* ModelFileRowSource::stored_rows(size_t index, BlockType type, int64_t first) const {
    const TensorInfo& t = file_.tensors[index];
    if (t.type != type) return nullptr;
    return t.data + static_cast<size_t>(first) * row_bytes(t.type, t.ne[0]);
}

LlamaHparams llama_hparams_of(const ModelFile& file, const ModelOverrides& overrides) {
    ModelDesc d = describe_model(file, overrides);
    LlamaHparams h;
    auto name = file.metadata.find("general.name");
    if (name != file.metadata.end() && std::holds_alternative<std::string>(name->second))
        h.name = std::get<std::string>(name->second);
    else
        h.name = file.path.stem().string();
    h.ftype = d.ftype;
    h.n_vocab = d.n_vocab;
    h.n_embd = d.n_embd;
    h.n_layer = d.n_layer;
    h.n_head = d.n_head;
    h.n_head_kv = d.n_head_kv;
    h.n_ff = d.n_ff;
    h.n_rot = d.n_rot;
    h.n_ctx = d.n_ctx_train;
    h.rms_eps = d.rms_eps;
    h.rope_freq_base = d.rope_freq_base;
    h.rope_freq_scale = d.rope_freq_scale;
    return h;
}

void convert_to_gguf(const ModelFile& input, const std::filesystem::path& output,
                     const ConvertOptions& options) {
    LlamaHparams hparams = llama_hparams_of(input, options.overrides);
    if (!options.name.empty()) hparams.name = options.name;
    if (input.container == Container::Ggjt && options.name.empty())
        hparams.name = input.path.filename().string();
    if (input.container == Container::Ggjt)
        hparams.description = fmt::format("converted from GGML ggjt v3 {} by Fireside",
                                          describe_model(input, options.overrides).ftype_name);
    std::vector<TensorToWrite> tensors;
    tensors.reserve(input.tensors.size());
    for (const TensorInfo& t : input.tensors) tensors.push_back({t.name, t.type, t.ne});
    ModelFileRowSource source(input);
    write_llama_model(output, hparams, input.vocab, tensors, source, {Container::Gguf, 1, options.progress});
}

} // namespace fireside
