#include "engine/model/llama_weights.h"

#include "engine/core/error.h"
#include "engine/model/llama_tensors.h"

#include <fmt/format.h>

namespace fireside {
namespace {

void check_rows(const ModelFile& file, const TensorInfo& t) {
    const BlockTraits& traits = block_traits(t.type);
    if (t.ne.empty() || t.ne[0] % traits.block_values != 0)
        throw Error(fmt::format(
            "{}: tensor {} has rows of {} values, not a whole number of {}-value {} blocks",
            file.path.string(), t.name, t.ne.empty() ? 0 : t.ne[0], traits.block_values, traits.name));
    if (t.data == nullptr) throw Error(fmt::format("{}: tensor {} has no data", file.path.string(), t.name));
}

WeightMatrix matrix(const ModelFile& file, const TensorInfo* t) {
    check_rows(file, *t);
    return WeightMatrix{t->type, t->ne[0], t->n_rows(), t->data, row_bytes(t->type, t->ne[0])};
}

std::vector<float> vector(const ModelFile& file, const TensorInfo* t) {
    check_rows(file, *t);
    std::vector<float> values(static_cast<size_t>(t->n_elements()));
    block_traits(t->type).dequantize_row(t->data, values.data(), t->n_elements());
    return values;
}

} // namespace

LlamaWeights bind_llama_weights(const ModelFile& file, const ModelDesc& desc) {
    const LlamaTensors tensors = map_llama_tensors(file, desc);
    LlamaWeights w;
    check_rows(file, *tensors.tok_embeddings);
    w.tok_embeddings = tensors.tok_embeddings;
    w.output_norm = vector(file, tensors.output_norm);
    w.output = matrix(file, tensors.output);
    for (const LlamaLayerTensors& t : tensors.layers) {
        LayerWeights l;
        l.attn_norm = vector(file, t.attn_norm);
        l.ffn_norm = vector(file, t.ffn_norm);
        l.wq = matrix(file, t.wq);
        l.wk = matrix(file, t.wk);
        l.wv = matrix(file, t.wv);
        l.wo = matrix(file, t.wo);
        l.w1 = matrix(file, t.w1);
        l.w2 = matrix(file, t.w2);
        l.w3 = matrix(file, t.w3);
        w.layers.push_back(std::move(l));
    }
    return w;
}

} // namespace fireside
