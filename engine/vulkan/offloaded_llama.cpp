#include "engine/vulkan/offloaded_llama.h"

#include "engine/core/error.h"
#include "engine/model/rms_norm.h"
#include "engine/vulkan/device.h"
#include "engine/vulkan/instance.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside::vk {

int64_t resolve_gpu_layers(int64_t requested, const ModelDesc& desc, const LlamaWeights& weights,
                           int64_t n_ctx, const VulkanBackendOptions& options) {
    if (requested == kAllGpuLayers) return desc.n_layer + 1;
    if (requested == kAutoGpuLayers) {
        Instance instance;
        const DeviceInfo& info = instance.devices().at(instance.choose(options.device));
        const GpuMemoryPlan plan = plan_gpu_memory(desc, weights, n_ctx, options.max_batch, options.kv_type);
        return plan.max_layers_within(usable_device_memory(info));
    }
    if (requested < 0)
        throw Error(fmt::format("GPU layers {} is invalid: use 0 .. N, -1 (all) or auto", requested));
    return std::min(requested, desc.n_layer + 1);
}

OffloadedLlama::OffloadedLlama(ModelFile file, ModelDesc desc, const OffloadOptions& options)
    : file_(std::move(file)), desc_(std::move(desc)), options_(options.model),
      pool_(options.model.n_threads) {
    if (options_.n_ctx <= 0 || options_.n_ctx > (int64_t{1} << 20))
        throw Error(fmt::format("context size {} is out of range (1 .. 1048576)", options_.n_ctx));
    if (options_.max_batch <= 0) options_.max_batch = 512;
    weights_ = bind_llama_weights(file_, desc_);
    cpu_ = std::make_unique<CpuLayerBackend>(desc_, options_.n_ctx, options_.kv_type, pool_);
    VulkanBackendOptions vulkan = options.vulkan;
    vulkan.max_batch = options_.max_batch;
    vulkan.kv_type = options_.kv_type;
    n_gpu_layers_ = resolve_gpu_layers(options.n_gpu_layers, desc_, weights_, options_.n_ctx, vulkan);
    if (n_gpu_layers_ > 0)
        gpu_ = std::make_unique<VulkanLayerBackend>(desc_, weights_, n_gpu_layers_, options_.n_ctx, vulkan);
    plan_layers();
}

void OffloadedLlama::plan_layers() {
    plan_.backend_of_layer.assign(static_cast<size_t>(desc_.n_layer), cpu_.get());
    if (gpu_)
        for (int64_t il = gpu_->first_layer(); il < desc_.n_layer; ++il)
            plan_.backend_of_layer[static_cast<size_t>(il)] = gpu_.get();
}

std::vector<float> OffloadedLlama::forward(const Batch& batch) {
    const int64_t n = static_cast<int64_t>(batch.tokens.size());
    if (n == 0) return {};
    if (batch.pos0 < 0 || batch.pos0 + n > options_.n_ctx ||
        batch.pos0 > static_cast<int64_t>(history_.size()))
        throw Error(fmt::format("the context is full: {} tokens at position {} exceed the context size {}", n,
                                batch.pos0, options_.n_ctx));
    for (int32_t id : batch.tokens)
        if (id < 0 || id >= desc_.n_vocab)
            throw Error(fmt::format("token id {} is outside the vocabulary of {} tokens", id, desc_.n_vocab));
    history_.resize(static_cast<size_t>(batch.pos0));
    history_.insert(history_.end(), batch.tokens.begin(), batch.tokens.end());

    const int64_t n_out = batch.all_logits ? n : 1;
    std::vector<float> logits(static_cast<size_t>(n_out * desc_.n_vocab));
    auto run = [&](std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* out_base) {
        const int64_t count_all = static_cast<int64_t>(tokens.size());
        for (int64_t start = 0; start < count_all; start += options_.max_batch) {
            const int64_t count = std::min(options_.max_batch, count_all - start);
            float* out = nullptr;
            if (out_base && all_logits)
                out = out_base + start * desc_.n_vocab;
            else if (out_base && start + count == count_all)
                out = out_base;
            forward_chunk(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)),
                          pos0 + start, all_logits, out);
        }
    };
    try {
        run(batch.tokens, batch.pos0, batch.all_logits, logits.data());
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        if (!gpu_) throw;
        // The GPU layers' cache is gone with the device: rebuild it on the CPU from the history.
        gpu_failure_ = e.what();
        gpu_.reset();
        plan_layers();
        if (batch.pos0 > 0)
            run(std::span(history_).first(static_cast<size_t>(batch.pos0)), 0, false, nullptr);
        run(batch.tokens, batch.pos0, batch.all_logits, logits.data());
    }
    return logits;
}

void OffloadedLlama::forward_chunk(std::span<const int32_t> tokens, int64_t pos0, bool all_logits,
                                   float* logits) {
    const int64_t n = static_cast<int64_t>(tokens.size()), e = desc_.n_embd;
    hidden_.resize(static_cast<size_t>(n * e));
    const TensorInfo& emb = *weights_.tok_embeddings;
    const size_t emb_row = row_bytes(emb.type, e);
    for (int64_t t = 0; t < n; ++t)
        block_traits(emb.type).dequantize_row(emb.data + static_cast<size_t>(tokens[static_cast<size_t>(t)]) *
                                                             emb_row,
                                              hidden_.data() + t * e, e);
    BatchState state{hidden_.data(), n, pos0};
    for (int64_t il = 0; il < desc_.n_layer; ++il)
        plan_.backend_of_layer[static_cast<size_t>(il)]->run_layer(
            il, weights_.layers[static_cast<size_t>(il)], state);
    const int64_t first = all_logits ? 0 : n - 1;
    if (gpu_ && gpu_->runs_output()) {
        gpu_->run_output(state, first, logits);
        return;
    }
    if (!logits) return;
    const int64_t rows = n - first;
    normed_.resize(static_cast<size_t>(rows * e));
    for (int64_t t = 0; t < rows; ++t)
        rms_norm(hidden_.data() + (first + t) * e, weights_.output_norm.data(), normed_.data() + t * e, e,
                 desc_.rms_eps);
    matmul(weights_.output, normed_.data(), rows, logits, pool_, output_scratch_);
}

} // namespace fireside::vk
