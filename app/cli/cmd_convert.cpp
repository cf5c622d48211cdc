#include "app/cli/model_options.h"
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

constexpr std::string_view kUsage = R"(IN.bin OUT.gguf [--name NAME] [OVERRIDES]

Converts a GGML ggjt v3 file to GGUF v3. Tensor data are copied byte for byte; the metadata carries what
ggjt files do not store, as Fireside infers it (see 'info'), unless given here:

  --name NAME             general.name (default: the input file's name)
)";

const std::string& usage() {
    static const std::string text = std::string(kUsage) + std::string(kOverrideOptionsUsage);
    return text;
}

int run_convert(Args& args, Io& io) {
    const ModelOverrides o = parse_model_overrides(args);
    auto name = args.value("--name");
    std::filesystem::path in = args.required_positional("IN (the ggjt .bin file)");
    std::filesystem::path out = args.required_positional("OUT (the .gguf file to write)");
    args.finish();
    std::error_code ec;
    if (std::filesystem::equivalent(in, out, ec))
        throw Error(
            fmt::format("{}: the output would overwrite the input; choose another name", out.string()));

    ModelFile file = open_model_file(in);
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
    register_subcommand({"convert", "convert a GGML ggjt v3 .bin file to GGUF v3", usage(), &run_convert});

} // namespace
} // namespace fireside::cli
