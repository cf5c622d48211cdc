#include "app/cli/progress_bar.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/format/synth_model.h"
#include "engine/quant/quant_mix.h"

#include <filesystem>
#include <fmt/format.h>
#include <thread>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"([--shape NAME] [SHAPE OPTIONS] [--type T] [--seed S] [--gguf] OUT

Writes a LLaMA model with random weights (any shape, any file type), streamed to disk.

  --shape NAME        7b, 13b, 30b, 65b, 70b, tinyllama, stories260k, synth-e512, llama2vocab-e256
  --n-embd N --n-head N --n-head-kv N --n-layer N --n-ff N --n-vocab N --n-ctx N
                      set or override single dimensions (default shape: 512/8/8/2/1536, vocab 512;
                      --n-head alone also sets n_head_kv to it)
  --type T            file type mix: f32 f16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_K q3_K_S q3_K_M q3_K_L
                      q4_K_S q4_K_M q5_K_S q5_K_M q6_K (default f32)
  --seed S            random seed (default 1); the same seed gives the same file
  --vocab-from FILE   copy the vocabulary (tokens and scores) from a model file
  --std X --out-std X --emb-std X --norm-std X
                      weight standard deviations (default: scaled with n_embd like the shared files)
  --name NAME         general.name (GGUF)
  --gguf              write GGUF v3 (also chosen when OUT ends in .gguf); default GGML ggjt v3
  -t, --threads N     quantizing threads (default: all cores))";

int64_t default_threads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

int64_t positive_option(Args& args, std::string_view name, std::string_view alias, int64_t fallback) {
    auto v = args.integer(name, alias);
    if (!v) return fallback;
    if (*v <= 0) throw Error(fmt::format("option {} must be positive, got {}", name, *v));
    return *v;
}

int run_synth(Args& args, Io& io) {
    SynthSpec spec;
    if (auto shape = args.value("--shape")) {
        auto preset = synth_shape_preset(*shape);
        if (!preset) {
            std::string names;
            for (std::string_view n : synth_shape_names())
                names += fmt::format("{}{}", names.empty() ? "" : ", ", n);
            throw Error(fmt::format("unknown --shape '{}'; choose one of {}", *shape, names));
        }
        spec.shape = *preset;
    }
    SynthShape& s = spec.shape;
    s.n_embd = positive_option(args, "--n-embd", {}, s.n_embd);
    const int64_t n_head = positive_option(args, "--n-head", {}, 0);
    if (n_head > 0) {
        s.n_head = n_head;
        s.n_head_kv = n_head; // a new head count without --n-head-kv means no grouped-query attention
    }
    s.n_head_kv = positive_option(args, "--n-head-kv", {}, s.n_head_kv);
    s.n_layer = positive_option(args, "--n-layer", {}, s.n_layer);
    s.n_ff = positive_option(args, "--n-ff", {}, s.n_ff);
    s.n_vocab = positive_option(args, "--n-vocab", {}, s.n_vocab);
    s.n_ctx = positive_option(args, "--n-ctx", {}, s.n_ctx);
    const QuantMix& mix = require_quant_mix(args.value("--type").value_or("f32"));
    if (auto seed = args.integer("--seed")) spec.seed = static_cast<uint64_t>(*seed);
    auto stddev = [&](std::string_view name, float& out) {
        if (auto v = args.number(name)) {
            if (!(*v > 0 && *v < 100)) throw Error(fmt::format("option {} must be a positive number", name));
            out = static_cast<float>(*v);
        }
    };
    stddev("--std", spec.std);
    stddev("--out-std", spec.out_std);
    stddev("--emb-std", spec.emb_std);
    if (auto v = args.number("--norm-std")) {
        if (!(*v >= 0 && *v < 100)) throw Error("option --norm-std must be a number from 0");
        spec.norm_std = static_cast<float>(*v);
    }
    if (auto name = args.value("--name")) spec.name = *name;
    auto vocab_from = args.value("--vocab-from");
    bool gguf = args.flag("--gguf");
    int threads = static_cast<int>(positive_option(args, "--threads", "-t", default_threads()));
    std::filesystem::path out = args.required_positional("OUT (the model file to write)");
    args.finish();
    if (out.extension() == ".gguf") gguf = true;

    std::optional<Vocab> vocab;
    if (vocab_from) {
        vocab = open_model_file(*vocab_from).vocab;
        s.n_vocab = static_cast<int64_t>(vocab->size());
    }
    if (spec.name.empty()) spec.name = out.stem().string();
    SynthModel model(spec, std::move(vocab));

    ProgressBar bar(io.err, is_terminal(io.err));
    ModelWriteOptions options{gguf ? Container::Gguf : Container::Ggjt, threads,
                              [&](const WriteProgress& p) { bar.update(p); }};
    try {
        write_synth_model(out, model, mix, options);
    } catch (...) {
        bar.finish();
        throw;
    }
    bar.finish();
    std::vector<TensorToWrite> tensors = model.tensors();
    assign_mix_types(mix, tensors);
    io.out << fmt::format(
        "wrote {} ({} {}, n_embd {}, n_head {}/{} kv, n_layer {}, n_ff {}, vocab {}; {}; {} bytes)\n",
        out.string(), gguf ? "GGUF" : "ggjt v3", mix.name, s.n_embd, s.n_head, s.n_head_kv, s.n_layer, s.n_ff,
        model.vocab().size(), tensor_type_summary(tensors), std::filesystem::file_size(out));
    return 0;
}

const bool registered = register_subcommand(
    {"synth", "write a random-weight LLaMA model of any shape and file type", kUsage, &run_synth});

} // namespace
} // namespace fireside::cli
