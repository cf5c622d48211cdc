#include "engine/model/llama_tensors.h"

#include "engine/core/error.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <initializer_list>

namespace fireside {
namespace {

class Mapper {
public:
    Mapper(const ModelFile& file, const ModelDesc& desc) : file_(file), desc_(desc) {}

    const TensorInfo* require(TensorRole role, int layer, std::initializer_list<int64_t> shape) {
        const TensorInfo* t = find_llama_tensor(file_, role, layer);
        if (!t) {
            bool gguf = file_.container == Container::Gguf;
            TensorId id{role, layer};
            throw Error(fmt::format("{}: tensor '{}' is missing", file_.path.string(),
                                    gguf ? gguf_tensor_name(id) : ggjt_tensor_name(id)));
        }
        check_shape(*t, shape);
        return t;
    }

    void check_shape(const TensorInfo& t, std::initializer_list<int64_t> shape) const {
        if (std::equal(t.ne.begin(), t.ne.end(), shape.begin(), shape.end())) return;
        throw Error(
            fmt::format("{}: tensor '{}' has shape [{}] but the model (n_vocab {}, n_embd {}, n_head {}, "
                        "n_head_kv {}, n_ff {}) needs [{}]",
                        file_.path.string(), t.name, fmt::join(t.ne, ", "), desc_.n_vocab, desc_.n_embd,
                        desc_.n_head, desc_.n_head_kv, desc_.n_ff, fmt::join(shape, ", ")));
    }

private:
    const ModelFile& file_;
    const ModelDesc& desc_;
};

} // namespace

const TensorInfo* find_llama_tensor(const ModelFile& file, TensorRole role, int layer) {
    TensorId id{role, layer};
    if (const TensorInfo* t = file.find(ggjt_tensor_name(id))) return t;
    return file.find(gguf_tensor_name(id));
}

LlamaTensors map_llama_tensors(const ModelFile& file, const ModelDesc& desc) {
    Mapper m(file, desc);
    const int64_t embd = desc.n_embd, vocab = desc.n_vocab, ff = desc.n_ff;
    const int64_t embd_q = desc.n_head * desc.head_dim, embd_kv = desc.n_head_kv * desc.head_dim;
    LlamaTensors t;
    t.tok_embeddings = m.require(TensorRole::TokenEmbedding, -1, {embd, vocab});
    t.output_norm = m.require(TensorRole::OutputNorm, -1, {embd});
    if (find_llama_tensor(file, TensorRole::Output, -1)) {
        t.output = m.require(TensorRole::Output, -1, {embd, vocab});
    } else {
        t.output = t.tok_embeddings;
        t.output_tied = true;
    }
    t.layers.reserve(std::min(static_cast<size_t>(desc.n_layer), file.tensors.size()));
    for (int il = 0; il < desc.n_layer; ++il) {
        LlamaLayerTensors l;
        l.attn_norm = m.require(TensorRole::AttnNorm, il, {embd});
        l.wq = m.require(TensorRole::AttnQ, il, {embd, embd_q});
        l.wk = m.require(TensorRole::AttnK, il, {embd, embd_kv});
        l.wv = m.require(TensorRole::AttnV, il, {embd, embd_kv});
        l.wo = m.require(TensorRole::AttnOut, il, {embd_q, embd});
        l.ffn_norm = m.require(TensorRole::FfnNorm, il, {embd});
        l.w1 = m.require(TensorRole::FfnGate, il, {embd, ff});
        l.w2 = m.require(TensorRole::FfnDown, il, {ff, embd});
        l.w3 = m.require(TensorRole::FfnUp, il, {embd, ff});
        t.layers.push_back(l);
    }
    return t;
}

} // namespace fireside
