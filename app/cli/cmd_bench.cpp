#include "app/cli/model_options.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/core/mapped_file.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/kernel_speed.h"
#include "engine/cpu/memory_bandwidth.h"
#include "engine/cpu/thread_pool.h"
#include "engine/model/load_llama_model.h"
#include "engine/vulkan/vulkan_layer_backend.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace fireside::cli {
namespace {

struct Stat {
    double mean = 0, sd = 0;
};

Stat stat_of(const std::vector<double>& v) {
    Stat s;
    for (double x : v) s.mean += x;
    s.mean /= static_cast<double>(v.size());
    for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(s.sd / static_cast<double>(v.size() - 1)) : 0.0;
    return s;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// bench --kernels: each weight format's one-token product against the memory's read speed, so a
// slow model can be traced to the kernels or to the rest of the forward pass.
int run_kernel_bench(std::optional<int64_t> threads, int64_t reps, int64_t kilobytes, bool json,
                     std::optional<std::string> only, Io& io) {
    ThreadPool pool(threads ? static_cast<int>(*threads) : 0);
    const double bandwidth = measure_read_bandwidth(pool);
    const BlockType types[] = {BlockType::F16,  BlockType::Q8_0, BlockType::Q4_0, BlockType::Q4_1,
                               BlockType::Q5_0, BlockType::Q5_1, BlockType::Q2_K, BlockType::Q3_K,
                               BlockType::Q4_K, BlockType::Q5_K, BlockType::Q6_K};
    if (!json)
        io.out << fmt::format("memory bandwidth {:.1f} GB/s (streaming read, {} threads)\n"
                              "{:<6} {:<17} {:>12} {:>9}\n",
                              bandwidth / 1e9, pool.n_threads(), "type", "kernel", "GB/s 1 token", "of read");
    std::string rows;
    for (BlockType type : types) {
        if (only && block_traits(type).name != *only) continue;
        // The weights as the file stores them, and repacked as a model's CPU layers are where the type
        // has a packed kernel.
        for (bool packed : {false, true}) {
            if (packed && !best_dot_kernel(type).packed) continue;
            const KernelSpeed k = measure_matvec_speed(type, pool, static_cast<uint64_t>(kilobytes) << 10,
                                                       static_cast<int>(reps), packed);
            const std::string_view name = block_traits(type).name;
            const std::string kernel = std::string(k.isa) + (k.packed ? " packed" : "");
            if (json)
                rows +=
                    fmt::format("{}{{\"type\": \"{}\", \"kernel\": \"{}\", \"packed\": {}, \"gbs\": {:.3f}, "
                                "\"ratio\": {:.4f}}}",
                                rows.empty() ? "" : ", ", name, k.isa, k.packed, k.bytes_per_s / 1e9,
                                k.bytes_per_s / bandwidth);
            else
                io.out << fmt::format("{:<6} {:<17} {:>12.1f} {:>8.1f}%\n", name, kernel, k.bytes_per_s / 1e9,
                                      100.0 * k.bytes_per_s / bandwidth);
        }
    }
    if (json)
        io.out << fmt::format("{{\"threads\": {}, \"bandwidth_gbs\": {:.3f}, \"kernels\": [{}]}}\n",
                              pool.n_threads(), bandwidth / 1e9, rows);
    return 0;
}

int run_bench(Args& args, Io& io) {
    if (args.flag("--kernels")) {
        const auto threads = args.integer("-t", "--threads");
        const int64_t reps = args.integer("-r", "--repetitions").value_or(10);
        const bool json = args.flag("--json");
        const auto only = args.value("--type");
        const int64_t kilobytes = args.integer("--kb").value_or(262144);
        args.finish();
        if (threads && (*threads < 1 || *threads > 1024))
            throw Error("-t: the thread count must be 1 .. 1024");
        if (reps < 1 || reps > 100) throw Error("-r: repetitions must be 1 .. 100");
        if (only && block_type_from_name(*only) == std::nullopt)
            throw Error(fmt::format("--type: unknown block type '{}'", *only));
        if (kilobytes < 64 || kilobytes > (int64_t{1} << 26))
            throw Error("--kb: the weights' size must be 64 KB .. 64 GB");
        return run_kernel_bench(threads, reps, kilobytes, json, only, io);
    }
    const auto model_path = args.value("-m", "--model");
    const int64_t n_prompt = args.integer("-p", "--n-prompt").value_or(512);
    const int64_t n_gen = args.integer("-n", "--n-gen").value_or(128);
    const auto threads = args.integer("-t", "--threads");
    const int64_t reps = args.integer("-r", "--repetitions").value_or(3);
    const bool json = args.flag("--json");
    const auto gqa = args.integer("--gqa");
    const GpuChoice gpu = parse_gpu_choice(args);
    const bool no_repack = args.flag("--no-repack");
    args.finish();
    if (!model_path) throw Error("-m MODEL is required");
    if (n_prompt < 0 || n_gen < 0 || n_prompt + n_gen == 0 || n_prompt + n_gen > 65536)
        throw Error("-p and -n must be between 0 and 65536 tokens together, not both 0");
    if (reps < 1 || reps > 100) throw Error("-r: repetitions must be 1 .. 100");
    if (threads && (*threads < 1 || *threads > 1024)) throw Error("-t: the thread count must be 1 .. 1024");

    LlamaModelOptions options;
    options.n_ctx = std::max(n_prompt, n_gen);
    options.n_threads = threads ? static_cast<int>(*threads) : 0;
    options.n_gpu_layers = gpu.layers;
    options.gpu_device = gpu.device;
    options.pack_weights = !no_repack;
    auto model = load_llama_model(*model_path, {}, gqa, options);
    report_device(*model, io.err);
    const int64_t n_vocab = model->desc().n_vocab;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(n_vocab - 1));

    // Warm-up: one token reads every weight once, so the file's pages are resident before timing.
    {
        const int32_t one[] = {token(rng)};
        model->forward(Batch{one, 0, false});
    }
    // The ceiling: how fast these threads stream-read the weights generation reads (the packed copy, or
    // the file's mapping). A shared machine's memory bandwidth can change by half from one second to
    // the next, so generation runs in segments with a probe between each two, and each segment is
    // compared with the bandwidth around it: the ceiling is the rate generation would have had at each
    // segment's bandwidth.
    ThreadPool pool(model->n_threads());
    const std::span<const std::byte> weights = model->cpu_weight_memory();
    const bool on_cpu = model->n_gpu_layers() == 0;
    const double bytes_per_token = static_cast<double>(model->weight_bytes_per_token());
    auto probe = [&] {
        return on_cpu ? measure_read_bandwidth_of(pool, weights.data(), weights.size() & ~uint64_t{63}, 2)
                      : 0.0;
    };
    constexpr int64_t kSegmentTokens = 16;
    std::vector<double> pp, tg;
    double ideal_seconds = 0.0, timed_tokens = 0.0; // at each segment's bandwidth
    for (int64_t r = 0; r < reps; ++r) {
        if (n_prompt > 0) {
            std::vector<int32_t> prompt(static_cast<size_t>(n_prompt));
            for (int32_t& t : prompt) t = token(rng);
            const auto start = std::chrono::steady_clock::now();
            model->forward(Batch{prompt, 0, false});
            pp.push_back(static_cast<double>(n_prompt) / seconds_since(start));
        }
        if (n_gen > 0) {
            double seconds = 0.0, before = probe();
            for (int64_t pos = 0; pos < n_gen; pos += kSegmentTokens) {
                const int64_t count = std::min(kSegmentTokens, n_gen - pos);
                const auto start = std::chrono::steady_clock::now();
                for (int64_t t = pos; t < pos + count; ++t) {
                    const int32_t one[] = {token(rng)};
                    model->forward(Batch{one, t, false});
                }
                seconds += seconds_since(start);
                const double after = probe();
                if (on_cpu) {
                    ideal_seconds += static_cast<double>(count) * bytes_per_token / ((before + after) / 2);
                    timed_tokens += static_cast<double>(count);
                }
                before = after;
            }
            tg.push_back(static_cast<double>(n_gen) / seconds);
        }
    }

    const Stat pps = pp.empty() ? Stat{} : stat_of(pp);
    const Stat tgs = tg.empty() ? Stat{} : stat_of(tg);
    const std::string name = model->file().path.filename().string();
    const int64_t n_gpu = model->n_gpu_layers();
    if (n_gpu > 0) {
        // The CPU's memory bandwidth bounds nothing that runs on the device, and GPU memory bandwidth
        // is not measured: no ceiling, rather than a misleading one.
        const vk::DeviceInfo& device = model->gpu()->device_info();
        if (json) {
            io.out << fmt::format(
                "{{\"model\": \"{}\", \"threads\": {}, \"n_prompt\": {}, \"n_gen\": {}, \"repetitions\": {}, "
                "\"pp_tps\": {:.3f}, \"pp_tps_sd\": {:.3f}, \"tg_tps\": {:.3f}, \"tg_tps_sd\": {:.3f}, "
                "\"bandwidth_gbs\": null, \"ceiling_tps\": null, \"ratio\": null, \"gpu_layers\": {}, "
                "\"gpu_device\": \"{}\", \"gpu_kind\": \"{}\"}}\n",
                name, model->n_threads(), n_prompt, n_gen, reps, pps.mean, pps.sd, tgs.mean, tgs.sd, n_gpu,
                device.name, vk::kind_name(device.kind));
            return 0;
        }
        io.out << fmt::format("model            {} ({}, {} threads)\n", name, model->desc().ftype_name,
                              model->n_threads());
        io.out << fmt::format("gpu              {}, {}, {} of {} layers\n", device.name,
                              vk::kind_name(device.kind), n_gpu, model->desc().n_layer + 1);
        if (!pp.empty())
            io.out << fmt::format("prompt   pp{:<5}  {:8.2f} ± {:.2f} tokens/s\n", n_prompt, pps.mean,
                                  pps.sd);
        if (!tg.empty())
            io.out << fmt::format("generate tg{:<5}  {:8.2f} ± {:.2f} tokens/s\n", n_gen, tgs.mean, tgs.sd);
        io.out
            << "ceiling          none for GPU runs (the CPU's memory bandwidth does not bound the device)\n";
        return 0;
    }

    // Without generation runs, one probe gives the ceiling.
    const double ceiling = ideal_seconds > 0.0 ? timed_tokens / ideal_seconds : probe() / bytes_per_token;
    const double bandwidth = ceiling * bytes_per_token;
    const double ratio = tg.empty() ? 0.0 : tgs.mean / ceiling;
    if (json) {
        io.out << fmt::format(
            "{{\"model\": \"{}\", \"threads\": {}, \"n_prompt\": {}, \"n_gen\": {}, \"repetitions\": {}, "
            "\"pp_tps\": {:.3f}, \"pp_tps_sd\": {:.3f}, \"tg_tps\": {:.3f}, \"tg_tps_sd\": {:.3f}, "
            "\"bandwidth_gbs\": {:.3f}, \"bytes_per_token\": {:.0f}, \"ceiling_tps\": {:.3f}, "
            "\"ratio\": {:.4f}, \"packed\": {}, \"gpu_layers\": 0, \"gpu_device\": \"\"}}\n",
            name, model->n_threads(), n_prompt, n_gen, reps, pps.mean, pps.sd, tgs.mean, tgs.sd,
            bandwidth / 1e9, bytes_per_token, ceiling, ratio, model->weights_packed());
        return 0;
    }
    io.out << fmt::format("model            {} ({}, {} threads)\n", name, model->desc().ftype_name,
                          model->n_threads());
    if (!pp.empty())
        io.out << fmt::format("prompt   pp{:<5}  {:8.2f} ± {:.2f} tokens/s\n", n_prompt, pps.mean, pps.sd);
    if (!tg.empty())
        io.out << fmt::format("generate tg{:<5}  {:8.2f} ± {:.2f} tokens/s\n", n_gen, tgs.mean, tgs.sd);
    io.out << fmt::format(
        "memory bandwidth {:.1f} GB/s (streaming read of the {:.1f} GB of weights in {}, {} threads, "
        "between every {} generated tokens)\n",
        bandwidth / 1e9, static_cast<double>(weights.size()) / 1e9,
        model->weights_packed() ? "the packed copy" : "the file's mapping", pool.n_threads(), kSegmentTokens);
    io.out << fmt::format("weights/token    {:.1f} MB -> ceiling {:.2f} tokens/s", bytes_per_token / 1e6,
                          ceiling);
    if (!tg.empty()) io.out << fmt::format(", generation at {:.1f}% of it", 100.0 * ratio);
    io.out << "\n";
    return 0;
}

const bool registered = register_subcommand(
    {"bench", "measure prompt-processing and generation speed against the memory-bandwidth ceiling",
     "-m MODEL [-p 512] [-n 128] [-t N] [-r 3] [--gqa N] [--ngl N|all|auto] [--device ID] [--no-repack]\n"
     "       [--json]\n"
     "       fireside-cli bench --kernels [--type T] [--kb 262144] [-t N] [-r 10] [--json]\n\n"
     "Times a prompt of -p random tokens evaluated as one batch and -n tokens generated one at a time,\n"
     "-r times each (mean ± sd), and compares generation with bandwidth / bytes of weights per token.\n"
     "With GPU layers it names the device and its kind instead: the CPU's bandwidth does not bound them.\n"
     "--no-repack keeps the CPU's weights in the file's mapping instead of a copy packed for its kernels.\n"
     "--kernels times each weight format's one-token matrix product on --kb KB of weights (best of -r)\n"
     "and compares the rate it reads them at with the memory's streaming read rate (sizes the caches\n"
     "hold show the kernels' arithmetic speed instead).",
     &run_bench});

} // namespace
} // namespace fireside::cli
