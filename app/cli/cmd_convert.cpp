#include "app/cli/progress_bar.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/convert.h"
#include "engine/format/model_file.h"
#include "engine/model/model_desc.h"

#include <filesystem>
#include <fmt/format.h>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage =
    R"(IN.bin OUT.gguf [--gqa N | --n-head-kv N] [--eps X] [--rope-freq-base X]
        [--rope-freq-scale X] [--ctx N] [--name NAME]

Converts a GGML ggjt v3 file to GGUF v3. Tensor data are copied byte for byte; the metadata carries what
ggjt files do not store, as Fireside infers it (see 'info'), unless given here:

  --gqa N                 grouped-query factor: n_head_kv = n_head / N (llama.cpp's -gqa)
  --n-head-kv N           number of key/value heads
  --eps X                 RMS-norm epsilon (default 1e-5)
  --rope-freq-base X      RoPE frequency base (default 10000)
  --rope-freq-scale X     RoPE linear position scale (default 1)
  --ctx N                 training context length (llama.context_length)
  --name NAME             general.name (default: the input file's name))";

int run_convert(Args& args, Io& io) {
    ModelOverrides o;
    if (auto v = args.integer("--n-head-kv")) o.n_head_kv = *v;
    auto gqa = args.integer("--gqa");
    if (auto v = args.number("--eps")) o.rms_eps = static_cast<float>(*v);
    if (auto v = args.number("--rope-freq-base")) o.rope_freq_base = static_cast<float>(*v);
    if (auto v = args.number("--rope-freq-scale")) o.rope_freq_scale = static_cast<float>(*v);
    if (auto v = args.integer("--ctx")) o.n_ctx_train = *v;
    auto name = args.value("--name");
    std::filesystem::path in = args.required_positional("IN (the ggjt .bin file)");
    std::filesystem::path out = args.required_positional("OUT (the .gguf file to write)");
    args.finish();
    std::error_code ec;
    if (std::filesystem::equivalent(in, out, ec))
        throw Error(
            fmt::format("{}: the output would overwrite the input; choose another name", out.string()));

    ModelFile file = open_model_file(in);
    if (gqa) {
        int64_t n_head = describe_model(file).n_head;
        if (*gqa <= 0 || n_head % *gqa != 0)
            throw Error(fmt::format("--gqa {} does not divide the model's n_head {}", *gqa, n_head));
        if (o.n_head_kv && *o.n_head_kv != n_head / *gqa)
            throw Error(fmt::format("--gqa {} and --n-head-kv {} disagree", *gqa, *o.n_head_kv));
        o.n_head_kv = n_head / *gqa;
    }
    ConvertOptions options;
    options.overrides = o;
    if (name) options.name = *name;
    ProgressBar bar(io.err, is_terminal(io.err));
    options.progress = [&](const WriteProgress& p) { bar.update(p); };
    try {
        convert_to_gguf(file, out, options);
    } catch (...) {
        bar.finish();
        throw;
    }
    bar.finish();
    LlamaHparams h = llama_hparams_of(file, o);
    io.out << fmt::format(
        "converted {} -> {} (GGUF v3, {} tensors; n_head {}, n_head_kv {}, rms_eps {}, rope "
        "base {} scale {}, context {})\n",
        in.string(), out.string(), file.tensors.size(), h.n_head, h.n_head_kv, h.rms_eps, h.rope_freq_base,
        h.rope_freq_scale, h.n_ctx);
    return 0;
}

const bool registered =
    register_subcommand({"convert", "convert a GGML ggjt v3 .bin file to GGUF v3", kUsage, &run_convert});

} // namespace
} // namespace fireside::cli
