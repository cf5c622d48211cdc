#include "app/cli/model_options.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/model/load_llama_model.h"
#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>

namespace fireside::cli {
namespace {

std::vector<int32_t> parse_token_list(const std::string& text) {
    std::vector<int32_t> ids;
    size_t at = 0;
    while (at <= text.size()) {
        size_t end = text.find(',', at);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(at, end - at);
        int32_t id = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
        if (item.empty() || ec != std::errc() || ptr != item.data() + item.size())
            throw Error(fmt::format("--tokens: '{}' is not a token id (expected a list like 1,2,3)", item));
        ids.push_back(id);
        at = end + 1;
    }
    return ids;
}

int run_logits(Args& args, Io& io) {
    const auto model_path = args.value("-m", "--model");
    const auto prompt = args.value("-p", "--prompt");
    const auto token_list = args.value("--tokens");
    const bool no_bos = args.flag("--no-bos");
    const bool no_space_prefix = args.flag("--no-space-prefix");
    const auto out_path = args.value("--out", "-o");
    const ModelOverrides overrides = parse_model_overrides(args);
    const auto threads = args.integer("-t", "--threads");
    const GpuChoice gpu = parse_gpu_choice(args);
    const bool no_repack = args.flag("--no-repack");
    args.finish();

    if (!model_path) throw Error("-m MODEL is required");
    if (!out_path) throw Error("--out FILE is required");
    if (prompt.has_value() == token_list.has_value()) throw Error("give either -p TEXT or --tokens 1,2,3");
    if (threads && (*threads < 1 || *threads > 1024)) throw Error("-t: the thread count must be 1 .. 1024");

    std::vector<int32_t> tokens;
    LlamaModelOptions options;
    options.n_threads = threads ? static_cast<int>(*threads) : 0;
    options.n_gpu_layers = gpu.layers;
    options.gpu_device = gpu.device;
    options.pack_weights = !no_repack;

    if (token_list) tokens = parse_token_list(*token_list);
    // The context only needs to hold the prompt; it is sized after tokenizing.
    auto load = [&](int64_t n_ctx) {
        options.n_ctx = std::max<int64_t>(n_ctx, 1);
        return load_llama_model(*model_path, overrides, std::nullopt, options);
    };
    std::unique_ptr<LlamaModel> model;
    if (prompt) {
        ModelFile file = open_model_file(*model_path);
        Tokenizer tokenizer(file.vocab);
        tokens = tokenizer.tokenize(*prompt, !no_bos, !no_space_prefix);
    }
    if (tokens.empty()) throw Error("the prompt has no tokens");
    model = load(static_cast<int64_t>(tokens.size()));
    report_device(*model, io.err);

    const std::vector<float> logits = model->forward(Batch{tokens, 0, true});
    std::ofstream out(*out_path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("cannot create {}", *out_path));
    out.write(reinterpret_cast<const char*>(logits.data()),
              static_cast<std::streamsize>(logits.size() * sizeof(float)));
    out.close();
    if (!out) throw Error(fmt::format("cannot write {}", *out_path));
    io.out << fmt::format("[{}]\n", fmt::join(tokens, ","));
    return 0;
}

const bool registered = register_subcommand(
    {"logits", "evaluate a prompt in one batch and write the logits of every position",
     "-m MODEL (-p TEXT [--no-bos] [--no-space-prefix] | --tokens 1,2,3) --out FILE [--eps E] [--gqa N]\n"
     "      [--rope-freq-base B] [--rope-freq-scale S] [-t N] [--ngl N|all|auto] [--device ID]\n"
     "      [--no-repack]\n\n"
     "Writes n_tokens x n_vocab float32 values (little endian, row i = the logits after token i) and\n"
     "prints the evaluated token ids as a JSON array.",
     &run_logits});

} // namespace
} // namespace fireside::cli
