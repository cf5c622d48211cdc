#include "app/cli/model_options.h"
#include "app/cli/progress_bar.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/model/model_desc.h"
#include "engine/quant/quant_mix.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(IN OUT TYPE [-t N] [--gguf] [GGUF SETTINGS]

Stores a model's tensors in another file type mix. IN may be any supported file (f32, f16 or already
quantized: quantized tensors are dequantized and quantized again; a tensor already in its target type
is copied unchanged). OUT is written as GGML ggjt v3, or GGUF v3 when it ends in .gguf or with --gguf.

  TYPE                f32 f16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_K q3_K_S q3_K_M q3_K_L q4_K_S q4_K_M
                      q5_K_S q5_K_M q6_K (llama.cpp's mixes: norms stay f32, output.weight q6_K where
                      its shape allows, _M mixes give some layers more bits, ...)
  -t, --threads N     quantizing threads (default: all cores)
  --gguf              write GGUF whatever OUT's name

GGUF settings (recorded in a GGUF output; default: what 'info' infers from IN):
)";

const std::string& usage() {
    static const std::string text = std::string(kUsage) + std::string(kOverrideOptionsUsage);
    return text;
}

int run_quantize(Args& args, Io& io) {
    auto threads_opt = args.integer("--threads", "-t");
    const ModelOverrides overrides = parse_model_overrides(args);
    bool gguf = args.flag("--gguf");
    std::filesystem::path in = args.required_positional("IN (the model to quantize)");
    std::filesystem::path out = args.required_positional("OUT (the file to write)");
    std::string type = args.required_positional("TYPE (the file type, e.g. q4_K_M)");
    args.finish();
    const QuantMix& mix = require_quant_mix(type);
    int threads = static_cast<int>(threads_opt.value_or(std::max(1u, std::thread::hardware_concurrency())));
    if (threads <= 0 || threads > 1024)
        throw Error(fmt::format("--threads must be 1..1024, not {}", threads));
    if (out.extension() == ".gguf") gguf = true;
    std::error_code ec;
    if (std::filesystem::equivalent(in, out, ec))
        throw Error(
            fmt::format("{}: the output would overwrite the input; choose another name", out.string()));

    ModelFile file = open_model_file(in);
    ProgressBar bar(io.err, is_terminal(io.err));
    QuantizeOptions options{gguf ? Container::Gguf : Container::Ggjt, threads,
                            [&](const WriteProgress& p) { bar.update(p); }, overrides};
    try {
        quantize_model(file, out, mix, options);
    } catch (...) {
        bar.finish();
        throw;
    }
    bar.finish();
    ModelFile written = open_model_file(out);
    std::vector<TensorToWrite> tensors;
    for (const TensorInfo& t : written.tensors) tensors.push_back({t.name, t.type, t.ne});
    io.out << fmt::format("quantized {} ({} bytes) -> {} ({} bytes, {} {}: {})\n", in.string(),
                          file.file_bytes, out.string(), written.file_bytes, gguf ? "GGUF" : "ggjt v3",
                          mix.name, tensor_type_summary(tensors));
    return 0;
}

const bool registered = register_subcommand(
    {"quantize", "store a model in another file type (q4_0 ... q6_K, f16, f32)", usage(), &run_quantize});

} // namespace
} // namespace fireside::cli
