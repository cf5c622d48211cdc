#include "app/cli/json_writer.h"
#include "app/cli/model_options.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/gguf_metadata.h"
#include "engine/format/model_file.h"
#include "engine/model/model_desc.h"

#include <fmt/format.h>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(MODEL [--json] [OVERRIDES]

Shows what a GGML ggjt v3 (.bin) or GGUF model file holds and what Fireside infers from it.

  --json                  machine-readable output
)";

const char* container_name(Container c) {
    return c == Container::Gguf ? "gguf" : "ggjt";
}

const char* rope_scaling_name(RopeScaling s) {
    switch (s) {
    case RopeScaling::Linear:
        return "linear";
    case RopeScaling::Dynamic:
        return "dynamic";
    default:
        return "none";
    }
}

void write_json(std::ostream& out, const ModelFile& file, const ModelDesc& d) {
    JsonWriter j(out);
    j.begin_object();
    j.field("file", file.path.string());
    j.field("format", container_name(d.container));
    j.field("version", d.version);
    j.field("file_bytes", d.file_bytes);
    j.field("n_vocab", d.n_vocab);
    j.field("n_embd", d.n_embd);
    if (d.container == Container::Ggjt) j.field("n_mult", file.ggjt.n_mult);
    j.field("n_layer", d.n_layer);
    j.field("n_head", d.n_head);
    j.field("n_head_kv", d.n_head_kv);
    j.field("gqa", d.n_head / d.n_head_kv);
    j.field("n_ff", d.n_ff);
    j.field("n_rot", d.n_rot);
    j.field("head_dim", d.head_dim);
    j.field("rms_eps", d.rms_eps);
    j.field("rope_freq_base", d.rope_freq_base);
    j.field("rope_freq_scale", d.rope_freq_scale);
    j.field("rope_scaling", rope_scaling_name(d.rope_scaling));
    j.field("ftype", d.ftype);
    j.field("ftype_name", d.ftype_name);
    j.key("tensor_types").begin_object();
    for (const auto& [type, count] : d.tensor_types) j.field(type, count);
    j.end_object();
    j.field("n_tensors", static_cast<uint64_t>(file.tensors.size()));
    j.field("n_params", d.n_params);
    j.field("size_class", d.size_class);
    j.field("n_ctx_train", d.n_ctx_train);
    j.field("kv_cache_bytes", d.kv_cache_bytes(d.n_ctx_train));
    j.key("vocab").begin_object();
    j.field("bos", static_cast<int64_t>(file.vocab.bos));
    j.field("eos", static_cast<int64_t>(file.vocab.eos));
    j.field("unk", static_cast<int64_t>(file.vocab.unk));
    j.end_object();
    j.end_object();
    j.finish();
}

void write_text(std::ostream& out, const ModelFile& file, const ModelDesc& d) {
    out << fmt::format("file            {} ({} bytes)\n", file.path.string(), d.file_bytes);
    out << fmt::format("format          {} v{}\n", container_name(d.container), d.version);
    out << fmt::format("type            {} ({}), size class {}, {} parameters\n", d.ftype_name, d.ftype,
                       d.size_class, d.n_params);
    out << fmt::format("vocabulary      {} tokens (BOS {}, EOS {}, UNK {})\n", d.n_vocab, file.vocab.bos,
                       file.vocab.eos, file.vocab.unk);
    out << fmt::format("shape           n_embd {}, n_layer {}, n_ff {}\n", d.n_embd, d.n_layer, d.n_ff);
    out << fmt::format("attention       n_head {}, n_head_kv {} (gqa {}), head_dim {}, n_rot {}\n", d.n_head,
                       d.n_head_kv, d.n_head / d.n_head_kv, d.head_dim, d.n_rot);
    out << fmt::format("norm / rope     rms_eps {}, freq_base {}, freq_scale {} ({})\n", d.rms_eps,
                       d.rope_freq_base, d.rope_freq_scale, rope_scaling_name(d.rope_scaling));
    out << fmt::format("context         n_ctx_train {}, f16 KV cache at that length {:.1f} MiB\n",
                       d.n_ctx_train,
                       static_cast<double>(d.kv_cache_bytes(d.n_ctx_train)) / (1024.0 * 1024.0));
    std::string types;
    for (const auto& [type, count] : d.tensor_types)
        types += fmt::format("{}{}: {}", types.empty() ? "" : ", ", type, count);
    out << fmt::format("tensors         {} ({})\n", file.tensors.size(), types);
    if (!file.metadata.empty()) {
        out << "metadata\n";
        for (const auto& [key, value] : file.metadata)
            out << fmt::format("  {:<40} {}\n", key, describe_meta_value(value));
    }
}

const std::string& usage() {
    static const std::string text = std::string(kUsage) + std::string(kOverrideOptionsUsage);
    return text;
}

int run_info(Args& args, Io& io) {
    bool json = args.flag("--json");
    std::string path = args.required_positional("MODEL (the model file to describe)");
    const ModelOverrides overrides = parse_model_overrides(args);
    args.finish();
    ModelFile file = open_model_file(path);
    ModelDesc desc = describe_model(file, overrides);
    if (json)
        write_json(io.out, file, desc);
    else
        write_text(io.out, file, desc);
    return 0;
}

const bool registered = register_subcommand(
    {"info", "show a model file's hyperparameters, tensor types and inferred settings", usage(), &run_info});

} // namespace
} // namespace fireside::cli
