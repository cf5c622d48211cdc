#include "engine/session/model_loader.h"

#include "engine/core/error.h"
#include "engine/core/mapped_file.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside {
namespace {

constexpr int64_t kDefaultContext = 4096;
constexpr uint64_t kPageBytes = 4096;
constexpr uint64_t kChunkBytes = uint64_t{16} << 20; // progress and cancellation granularity
// The share of the progress bar for reading the weights; building the model takes the rest.
constexpr double kReadShare = 0.98;

bool rope_scaled(const ModelDesc& desc) {
    return desc.rope_scaling != RopeScaling::None || desc.rope_freq_scale != 1.0f;
}

// Reads one byte of every page of [begin, end) so the kernel maps it in.
uint8_t touch_pages(const std::byte* begin, const std::byte* end) {
    uint8_t sum = 0;
    for (const std::byte* p = begin; p < end; p += kPageBytes)
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(*static_cast<const volatile std::byte*>(p)));
    return sum;
}

// Reports progress from 0 to `share` of the whole load.
void warm_tensor_data(const ModelFile& file, double share, const LoadProgress& progress,
                      const std::atomic<bool>* cancel) {
    if (!file.mapping) return;
    // The data region: from the first tensor's bytes to the last tensor's end, in file order.
    uint64_t first = file.file_bytes, last = 0;
    for (const TensorInfo& t : file.tensors) {
        first = std::min(first, t.offset);
        last = std::max(last, t.offset + t.n_bytes);
    }
    if (first >= last) return;
    const std::byte* base = file.mapping->data();
    const uint64_t total = last - first;
    volatile uint8_t sink = 0;
    for (uint64_t done = 0; done < total;) {
        if (cancel && cancel->load()) throw Cancelled();
        const uint64_t n = std::min(kChunkBytes, total - done);
        sink = static_cast<uint8_t>(sink + touch_pages(base + first + done, base + first + done + n));
        done += n;
        if (progress) progress(share * static_cast<double>(done) / static_cast<double>(total));
    }
}

} // namespace

int64_t effective_context_size(const ModelDesc& desc, const LoadOptions& options) {
    if (options.n_ctx < 0) throw Error(fmt::format("context size {} must be positive", options.n_ctx));
    if (options.n_ctx > 0) return options.n_ctx;
    if (rope_scaled(desc) || desc.n_ctx_train <= 0) return kDefaultContext;
    return std::min(kDefaultContext, desc.n_ctx_train);
}

std::unique_ptr<LlamaModel> load_model(const LoadOptions& options, const LoadProgress& progress,
                                       const std::atomic<bool>* cancel) {
    if (options.gpu_layers < kAutoGpuLayers)
        throw Error(
            fmt::format("GPU layers {} is invalid: use 0 .. N, -1 (all) or -2 (auto)", options.gpu_layers));
    if (options.n_threads < 0 || options.n_threads > 1024)
        throw Error(fmt::format("thread count {} is out of range (0 .. 1024)", options.n_threads));
    if (progress) progress(0.0);
    ModelFile file = open_model_file(options.path);
    ModelDesc desc = describe_model(file, options.overrides);
    LlamaModelOptions model_options;
    model_options.n_ctx = effective_context_size(desc, options);
    model_options.n_threads = options.n_threads;
    model_options.n_gpu_layers = options.gpu_layers;
    if (!options.device.empty()) model_options.gpu_device = options.device;
    model_options.pack_weights = options.pack_weights;
    // Reading the file, uploading GPU layers and packing the CPU layers' weights share the progress
    // bar: the copy takes the last tenth (it moves data already in memory), an upload half the rest.
    const double pack_share = 0.1;
    const double read_share = options.gpu_layers != 0 ? (1.0 - pack_share) / 2 : kReadShare - pack_share;
    const auto stage = [&](double from, double to) {
        return [&progress, cancel, from, to](uint64_t done, uint64_t total) {
            if (cancel && cancel->load()) return false;
            if (progress && total > 0)
                progress(from + (to - from) * static_cast<double>(done) / static_cast<double>(total));
            return true;
        };
    };
    model_options.gpu_progress = stage(read_share, 1.0 - pack_share);
    model_options.pack_progress = stage(1.0 - pack_share, 1.0);
    warm_tensor_data(file, read_share, progress, cancel);
    if (cancel && cancel->load()) throw Cancelled();
    auto model = std::make_unique<LlamaModel>(std::move(file), std::move(desc), model_options);
    if (progress) progress(1.0);
    return model;
}

} // namespace fireside
