#include "engine/model/llama_model.h"

#include "engine/core/error.h"
#include "engine/core/mapped_file.h"
#include "engine/core/system_memory.h"
#include "engine/model/rms_norm.h"
#include "engine/vulkan/gpu_layers.h"
#include "engine/vulkan/vulkan_layer_backend.h"

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
    if (options_.n_gpu_layers != 0) {
        vk::VulkanBackendOptions gpu;
        gpu.device = options_.gpu_device;
        gpu.validation = options_.gpu_validation;
        gpu.kv_type = options_.kv_type;
        gpu.max_batch = options_.max_batch;
        gpu.progress = options_.gpu_progress;
        const int64_t n = vk::resolve_gpu_layers(options_.n_gpu_layers, desc_, weights_, options_.n_ctx, gpu);
        if (n > 0) gpu_ = std::make_unique<vk::VulkanLayerBackend>(desc_, weights_, n, options_.n_ctx, gpu);
    }
    plan_layers();
    if (options_.pack_weights) pack_cpu_weights();
}

LlamaModel::~LlamaModel() = default;

void LlamaModel::pack_cpu_weights() {
    std::vector<WeightMatrix*> matrices;
    for (int64_t il = 0; il < desc_.n_layer; ++il) {
        if (plan_.backend_of_layer[static_cast<size_t>(il)] != cpu_.get()) continue;
        LayerWeights& l = weights_.layers[static_cast<size_t>(il)];
        for (WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3}) matrices.push_back(m);
    }
    if (!gpu_ || !gpu_->runs_output()) matrices.push_back(&weights_.output);
    const std::span<const WeightMatrix* const> view(matrices.data(), matrices.size());
    if (matrices.empty() || !PackedWeights::any_packable(view)) return;
    // The copy must fit beside everything else: one that pushed the system into swapping (or its
    // out-of-memory killer) would cost far more than it gains, so without room the weights stay mapped.
    constexpr uint64_t kReserve = uint64_t{1} << 30;
    const std::optional<uint64_t> available = available_memory_bytes();
    if (!available || *available < PackedWeights::bytes_for(view) + kReserve) return;
    std::vector<WeightMatrix> originals;
    for (const WeightMatrix* m : matrices) originals.push_back(*m);
    packed_ = std::make_unique<PackedWeights>(matrices, pool_, options_.pack_progress);
    // The copies serve from now on: the file's pages need not stay in this process as well (a GPU
    // fallback that reads them again faults them back in).
    for (const WeightMatrix& m : originals)
        file_.mapping->release(m.data, m.row_bytes * static_cast<size_t>(m.n_rows));
}

std::span<const std::byte> LlamaModel::cpu_weight_memory() const {
    if (packed_) return packed_->memory();
    return file_.mapping->bytes();
}

void LlamaModel::plan_layers() {
    plan_.backend_of_layer.assign(static_cast<size_t>(desc_.n_layer), cpu_.get());
    if (gpu_)
        for (int64_t il = gpu_->first_layer(); il < desc_.n_layer; ++il)
            plan_.backend_of_layer[static_cast<size_t>(il)] = gpu_.get();
}

int64_t LlamaModel::n_gpu_layers() const {
    if (!gpu_) return 0;
    return desc_.n_layer - gpu_->first_layer() + (gpu_->runs_output() ? 1 : 0);
}

std::string LlamaModel::gpu_device_name() const {
    return gpu_ ? gpu_->device_info().name : std::string();
}

std::vector<float> LlamaModel::forward(const Batch& batch) {
    const int64_t n = static_cast<int64_t>(batch.tokens.size());
    if (n == 0) return {};
    if (batch.pos0 < 0 || batch.pos0 + n > options_.n_ctx)
        throw Error(fmt::format("the context is full: {} tokens at position {} exceed the context size {}", n,
                                batch.pos0, options_.n_ctx));
    if (batch.pos0 > static_cast<int64_t>(history_.size()))
        throw Error(fmt::format("tokens at position {} would leave a gap after the {} cached ones",
                                batch.pos0, history_.size()));
    for (int32_t id : batch.tokens)
        if (id < 0 || id >= desc_.n_vocab)
            throw Error(fmt::format("token id {} is outside the vocabulary of {} tokens", id, desc_.n_vocab));
    history_.resize(static_cast<size_t>(batch.pos0));
    history_.insert(history_.end(), batch.tokens.begin(), batch.tokens.end());

    const int64_t n_out = batch.all_logits ? n : 1;
    std::vector<float> logits(static_cast<size_t>(n_out * desc_.n_vocab));
    try {
        run_chunks(batch.tokens, batch.pos0, batch.all_logits, logits.data());
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        if (!gpu_) throw;
        // The GPU layers' cache went with the device: rebuild it on the CPU from the history.
        gpu_failure_ = e.what();
        gpu_.reset();
        plan_layers();
        if (batch.pos0 > 0)
            run_chunks(std::span(history_).first(static_cast<size_t>(batch.pos0)), 0, false, nullptr);
        run_chunks(batch.tokens, batch.pos0, batch.all_logits, logits.data());
    }
    return logits;
}

void LlamaModel::run_chunks(std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* logits) {
    const auto n = static_cast<int64_t>(tokens.size());
    for (int64_t start = 0; start < n; start += options_.max_batch) {
        const int64_t count = std::min(options_.max_batch, n - start);
        float* out = nullptr;
        if (logits && all_logits)
            out = logits + start * desc_.n_vocab;
        else if (logits && start + count == n)
            out = logits;
        forward_chunk(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)), pos0 + start,
                      all_logits, out);
    }
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
    // Only the rows whose logits are wanted go through the final norm and the output matrix.
    const int64_t first = all_logits ? 0 : n - 1;
    if (gpu_ && gpu_->runs_output()) {
        gpu_->run_output(state, first, logits); // submits the batch's GPU work even without logits
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

bool LlamaModel::shift_kv(int64_t begin, int64_t end, int64_t delta) {
    if (begin < 0 || begin > end || end > static_cast<int64_t>(history_.size()) || begin + delta < 0)
        throw Error(fmt::format("cannot move cached positions [{}, {}) by {}: the cache holds {}", begin, end,
                                delta, history_.size()));
    std::vector<LayerBackend*> backends;
    for (LayerBackend* backend : plan_.backend_of_layer)
        if (std::find(backends.begin(), backends.end(), backend) == backends.end())
            backends.push_back(backend);
    if (!std::ranges::all_of(backends, [](const LayerBackend* b) { return b->can_shift_kv(); })) return false;
    // Each backend shifts the layers it holds; a backend serving several layers is asked once.
    try {
        for (LayerBackend* backend : backends) backend->shift_kv(begin, end, delta);
    } catch (const Error& e) {
        if (!gpu_) throw;
        // The GPU layers' cache went with the device: rebuild the unmoved prefix on the CPU and let
        // the caller evaluate the rest again where it belongs.
        gpu_failure_ = e.what();
        gpu_.reset();
        plan_layers();
        history_.resize(static_cast<size_t>(std::min(begin, begin + delta)));
        if (!history_.empty()) run_chunks(history_, 0, false, nullptr);
        return false;
    }
    // The history follows the cache, so a CPU fallback re-evaluates the tokens where they now are.
    std::vector<int32_t> moved(history_.begin() + begin, history_.begin() + end);
    history_.resize(static_cast<size_t>(end + delta));
    std::copy(moved.begin(), moved.end(), history_.begin() + begin + delta);
    return true;
}

} // namespace fireside
