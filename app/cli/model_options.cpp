#include "app/cli/model_options.h"

#include "engine/core/error.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace fireside::cli {
namespace {

float finite(Args& args, std::string_view name, std::string_view alias, float fallback) {
    const auto v = args.number(name, alias);
    if (!v) return fallback;
    if (!std::isfinite(*v)) throw Error(fmt::format("{}: {} is not a finite number", name, *v));
    return static_cast<float>(*v);
}

int64_t in_range(Args& args, std::string_view name, std::string_view alias, int64_t lo, int64_t hi,
                 int64_t fallback) {
    const auto v = args.integer(name, alias);
    if (!v) return fallback;
    if (*v < lo || *v > hi) throw Error(fmt::format("{}: {} is out of range ({} .. {})", name, *v, lo, hi));
    return *v;
}

} // namespace

const std::string_view kModelOptionsUsage =
    "  -m, --model FILE        model file (GGML ggjt v3 .bin or GGUF)\n"
    "  -c, --ctx-size N        context size in tokens (default: 4096, at most the model's training\n"
    "                          context unless RoPE scaling is set)\n"
    "  -t, --threads N         threads (default: one per physical core)\n"
    "  --ngl N|all|auto        the last N layers on the GPU (N = layers + 1 adds the output; -1/all:\n"
    "                          everything; auto: as many as the GPU's memory allows; default 0)\n"
    "  --device ID             the Vulkan device: index or part of its name (see 'devices'; default:\n"
    "                          $FIRESIDE_DEVICE, else discrete > integrated > other)\n"
    "  --no-repack             keep the CPU layers' weights in the file's mapping (default: a copy\n"
    "                          repacked for the CPU kernels, when it fits in memory)\n";

const std::string_view kOverrideOptionsUsage =
    "  --gqa N                 n_head / n_head_kv for ggjt files (default: inferred from the weights)\n"
    "  --n-head-kv N           key/value heads (default: inferred from the weights)\n"
    "  --eps E                 RMS norm epsilon (ggjt files do not store it; default 1e-5)\n"
    "  --rope-freq-base B      RoPE frequency base (default 10000 or the file's)\n"
    "  --rope-freq-scale S     RoPE linear position scale (default 1 or the file's)\n"
    "  --n-ctx-train N         the context the model was trained on (default: the file's, or by shape)\n";

const std::string_view kSamplerOptionsUsage =
    "  --temp T                temperature (default 0.8; 0: greedy)\n"
    "  --top-k N               top-k (default 40; 0: off)\n"
    "  --top-p P               top-p (default 0.95; 1: off)\n"
    "  --min-p P               min-p (default 0: off)\n"
    "  --repeat-penalty P      repeat penalty (default 1.1; 1: off)\n"
    "  --repeat-last-n N       tokens the penalties look at (default 64; -1: all)\n"
    "  --presence-penalty P    presence penalty (default 0)\n"
    "  --frequency-penalty P   frequency penalty (default 0)\n"
    "  --mirostat 0|1|2        Mirostat sampling (default 0: off)\n"
    "  --mirostat-lr ETA       Mirostat learning rate (default 0.1)\n"
    "  --mirostat-ent TAU      Mirostat target entropy (default 5)\n"
    "  --seed S                random seed (default: from the clock)\n";

ModelOverrides parse_model_overrides(Args& args) {
    ModelOverrides o;
    if (auto v = args.integer("--n-head-kv")) {
        if (*v < 1 || *v > 65536)
            throw Error(fmt::format("--n-head-kv: {} is out of range (1 .. 65536)", *v));
        o.n_head_kv = *v;
    }
    if (auto gqa = args.integer("--gqa")) {
        if (*gqa < 1 || *gqa > 1024) throw Error(fmt::format("--gqa: {} is out of range (1 .. 1024)", *gqa));
        o.gqa = *gqa;
    }
    if (auto eps = args.number("--eps")) {
        if (!(*eps > 0 && *eps < 1)) throw Error(fmt::format("--eps: {} must be between 0 and 1", *eps));
        o.rms_eps = static_cast<float>(*eps);
    }
    if (auto base = args.number("--rope-freq-base")) {
        if (!(*base > 0 && std::isfinite(*base)))
            throw Error(fmt::format("--rope-freq-base: {} must be a positive number", *base));
        o.rope_freq_base = static_cast<float>(*base);
    }
    if (auto scale = args.number("--rope-freq-scale")) {
        if (!(*scale > 0 && *scale <= 1e3))
            throw Error(fmt::format("--rope-freq-scale: {} must be a positive number", *scale));
        o.rope_freq_scale = static_cast<float>(*scale);
    }
    if (auto v = args.integer("--n-ctx-train")) {
        if (*v < 1 || *v > (int64_t{1} << 24))
            throw Error(fmt::format("--n-ctx-train: {} is out of range (1 .. 2^24)", *v));
        o.n_ctx_train = *v;
    }
    return o;
}

GpuChoice parse_gpu_choice(Args& args) {
    GpuChoice g;
    auto layers = args.value("--ngl", "-ngl");
    if (auto longer = args.value("--n-gpu-layers")) layers = longer;
    if (layers) {
        if (*layers == "auto") {
            g.layers = kAutoGpuLayers;
        } else if (*layers == "all") {
            g.layers = kAllGpuLayers;
        } else {
            int64_t n = 0;
            auto [end, ec] = std::from_chars(layers->data(), layers->data() + layers->size(), n);
            if (ec != std::errc() || end != layers->data() + layers->size() || n < -1 || n > 100000)
                throw Error(fmt::format("--ngl: '{}' is not a layer count, -1 (all) or auto", *layers));
            g.layers = n;
        }
    }
    g.device = args.value("--device");
    if (!g.device)
        if (const char* env = std::getenv("FIRESIDE_DEVICE"); env && *env) g.device = std::string(env);
    return g;
}

void report_device(const LlamaModel& model, std::ostream& err) {
    if (model.n_gpu_layers() == 0) return;
    err << fmt::format("GPU: {}, {} of {} layers (the rest on the CPU, {} threads)\n",
                       model.gpu_device_name(), model.n_gpu_layers(), model.desc().n_layer + 1,
                       model.n_threads());
}

LoadOptions parse_model_options(Args& args) {
    LoadOptions o;
    const auto path = args.value("-m", "--model");
    if (!path) throw Error("-m MODEL is required (a GGML .bin or GGUF file)");
    o.path = *path;
    o.n_ctx = in_range(args, "-c", "--ctx-size", 1, int64_t{1} << 20, 0);
    o.n_threads = static_cast<int>(in_range(args, "-t", "--threads", 1, 1024, 0));
    const GpuChoice gpu = parse_gpu_choice(args);
    o.gpu_layers = gpu.layers;
    o.device = gpu.device.value_or(std::string());
    o.overrides = parse_model_overrides(args);
    o.pack_weights = !args.flag("--no-repack");
    return o;
}

SamplerSettings parse_sampler_options(Args& args) {
    SamplerSettings s;
    s.temperature = finite(args, "--temp", {}, s.temperature);
    s.top_k = static_cast<int32_t>(in_range(args, "--top-k", {}, -1, 1 << 30, s.top_k));
    s.top_p = finite(args, "--top-p", {}, s.top_p);
    s.min_p = finite(args, "--min-p", {}, s.min_p);
    s.repeat_penalty = finite(args, "--repeat-penalty", {}, s.repeat_penalty);
    s.repeat_last_n =
        static_cast<int32_t>(in_range(args, "--repeat-last-n", {}, -1, 1 << 30, s.repeat_last_n));
    s.presence_penalty = finite(args, "--presence-penalty", {}, s.presence_penalty);
    s.frequency_penalty = finite(args, "--frequency-penalty", {}, s.frequency_penalty);
    s.mirostat = static_cast<int32_t>(in_range(args, "--mirostat", {}, 0, 2, s.mirostat));
    s.mirostat_eta = finite(args, "--mirostat-lr", {}, s.mirostat_eta);
    s.mirostat_tau = finite(args, "--mirostat-ent", {}, s.mirostat_tau);
    if (auto seed = args.integer("--seed")) {
        if (*seed < 0) throw Error(fmt::format("--seed: {} must be 0 or more", *seed));
        s.seed = static_cast<uint64_t>(*seed);
    } else {
        s.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    }
    s.validate();
    return s;
}

PromptTemplate parse_template(const std::string& name_or_spec) {
    if (name_or_spec.find("{user}") != std::string::npos)
        return PromptTemplate::parse("custom", name_or_spec);
    return PromptTemplate::builtin(name_or_spec);
}

std::string generation_usage(std::string_view command_usage) {
    return std::string(command_usage) + "\nModel:\n" + std::string(kModelOptionsUsage) +
           std::string(kOverrideOptionsUsage) + "\nSampling:\n" + std::string(kSamplerOptionsUsage);
}

} // namespace fireside::cli
