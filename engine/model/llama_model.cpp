#include "engine/model/llama_model.h"

#include "engine/core/error.h"
#include "engine/model/rms_norm.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside {

LlamaModel::LlamaModel(ModelFile file, ModelDesc desc, const LlamaModelOptions& options)
    : file_(std::move(file)), desc_(std::move(desc)), options_(options), pool_(options.n_threads) {
    if (options_.n_ctx <= 0 || options_.n_ctx > (int64_t{1} << 20))
        throw Error(fmt::format("context size {} is out of range (1 .. 1048576)", options_.n_ctx));
    if (options_.max_batch <= 0) options_.max_batch = 512;
    if (desc_.n_head <= 0 || desc_.n_head_kv <= 0 || desc_.n_head % desc_.n_head_kv != 0)
        throw Error(fmt::format("{}: {} attention heads cannot share {} KV heads", file_.path.string(),
                                desc_.n_head, desc_.n_head_kv));
    if (desc_.n_rot <= 0 || desc_.n_rot > desc_.head_dim || desc_.n_rot % 2 != 0)
        throw Error(fmt::format("{}: n_rot {} does not fit heads of {} values", file_.path.string(),
                                desc_.n_rot, desc_.head_dim));
    weights_ = bind_llama_weights(file_, desc_);
    cpu_ = std::make_unique<CpuLayerBackend>(desc_, options_.n_ctx, options_.kv_type, pool_);
    plan_.backend_of_layer.assign(static_cast<size_t>(desc_.n_layer), cpu_.get());
}

std::vector<float> LlamaModel::forward(const Batch& batch) {
    const int64_t n = static_cast<int64_t>(batch.tokens.size());
    if (n == 0) return {};
    if (batch.pos0 < 0 || batch.pos0 + n > options_.n_ctx)
        throw Error(fmt::format("the context is full: {} tokens at position {} exceed the context size {}", n,
                                batch.pos0, options_.n_ctx));
    for (int32_t id : batch.tokens)
        if (id < 0 || id >= desc_.n_vocab)
            throw Error(fmt::format("token id {} is outside the vocabulary of {} tokens", id, desc_.n_vocab));
    const int64_t n_out = batch.all_logits ? n : 1;
    std::vector<float> logits(static_cast<size_t>(n_out * desc_.n_vocab));
    for (int64_t start = 0; start < n; start += options_.max_batch) {
        const int64_t count = std::min(options_.max_batch, n - start);
        const bool last_chunk = start + count == n;
        float* out = nullptr;
        if (batch.all_logits)
            out = logits.data() + start * desc_.n_vocab;
        else if (last_chunk)
            out = logits.data();
        forward_chunk(batch.tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)),
                      batch.pos0 + start, batch.all_logits, out);
    }
    return logits;
}

void LlamaModel::forward_chunk(std::span<const int32_t> tokens, int64_t pos0, bool all_logits,
                               float* logits) {
    const int64_t n = static_cast<int64_t>(tokens.size()), e = desc_.n_embd;
    hidden_.resize(static_cast<size_t>(n * e));
    const TensorInfo& emb = *weights_.tok_embeddings;
    const BlockTraits& emb_traits = block_traits(emb.type);
    const size_t emb_row = row_bytes(emb.type, e);
    for (int64_t t = 0; t < n; ++t)
        emb_traits.dequantize_row(emb.data + static_cast<size_t>(tokens[static_cast<size_t>(t)]) * emb_row,
                                  hidden_.data() + t * e, e);

    BatchState state{hidden_.data(), n, pos0};
    for (int64_t il = 0; il < desc_.n_layer; ++il)
        plan_.backend_of_layer[static_cast<size_t>(il)]->run_layer(
            il, weights_.layers[static_cast<size_t>(il)], state);
    if (!logits) return;

    // Only the rows whose logits are wanted go through the final norm and the output matrix.
    const int64_t first = all_logits ? 0 : n - 1;
    const int64_t rows = n - first;
    normed_.resize(static_cast<size_t>(rows * e));
    for (int64_t t = 0; t < rows; ++t)
        rms_norm(hidden_.data() + (first + t) * e, weights_.output_norm.data(), normed_.data() + t * e, e,
                 desc_.rms_eps);
    matmul(weights_.output, normed_.data(), rows, logits, pool_, output_scratch_);
}

uint64_t LlamaModel::weight_bytes_per_token() const {
    auto bytes = [](const WeightMatrix& m) {
        return static_cast<uint64_t>(m.row_bytes) * static_cast<uint64_t>(m.n_rows);
    };
    uint64_t total = bytes(weights_.output) + row_bytes(weights_.tok_embeddings->type, desc_.n_embd);
    for (const LayerWeights& l : weights_.layers)
        total += bytes(l.wq) + bytes(l.wk) + bytes(l.wv) + bytes(l.wo) + bytes(l.w1) + bytes(l.w2) +
                 bytes(l.w3) + (l.attn_norm.size() + l.ffn_norm.size()) * sizeof(float);
    return total + weights_.output_norm.size() * sizeof(float);
}

void LlamaModel::shift_kv(int64_t begin, int64_t end, int64_t delta) {
    // Each backend shifts the layers it holds; a backend serving several layers is asked once.
    std::vector<LayerBackend*> done;
    for (LayerBackend* backend : plan_.backend_of_layer) {
        if (std::find(done.begin(), done.end(), backend) != done.end()) continue;
        backend->shift_kv(begin, end, delta);
        done.push_back(backend);
    }
}

} // namespace fireside
