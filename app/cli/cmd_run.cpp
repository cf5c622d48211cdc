#include "app/cli/model_options.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/session/chat_session.h"
#include "engine/tokenizer/detokenizer.h"
#include "engine/tokenizer/tokenizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(-m MODEL -p PROMPT [OPTIONS]

Generates a continuation of PROMPT, like llama.cpp's main: the prompt is echoed, then the answer streams
token by token. Without --template the prompt is raw text (BOS + the prompt with a leading space, as
main fed it) and the output is the tokens' exact bytes; with --template the prompt becomes the user's
turn of a chat and the answer is shown as display text (UTF-8 cleaned, leading space dropped).

  -p, --prompt TEXT       the prompt
  -n, --n-predict N       tokens to generate (default -1: until end of text or the context is full)
  -s, --system TEXT       system prompt (chat templates only)
  --template NAME|SPEC    chat template: orca-hashes, llama-2-chat, alpaca, vicuna, chatml, raw, or a
                          template like "### User:\n{user}\n\n### Assistant:\n{assistant}\n\n"
  --raw                   print the tokens' exact bytes even with a template
  --print-ids             print the generated token ids as a JSON array on a last line
  --ignore-eos            keep generating past the end-of-text token
)";

int run_run(Args& args, Io& io) {
    LoadOptions load = parse_model_options(args);
    GenerationOptions options;
    options.sampler = parse_sampler_options(args);
    const auto prompt = args.value("-p", "--prompt");
    const auto n_predict = args.integer("-n", "--n-predict");
    const auto system = args.value("-s", "--system");
    const auto template_name = args.value("--template");
    const bool raw = args.flag("--raw");
    const bool print_ids = args.flag("--print-ids");
    options.ignore_eos = args.flag("--ignore-eos");
    args.finish();

    if (!prompt) throw Error("-p PROMPT is required");
    if (n_predict && (*n_predict < -1 || *n_predict > (int64_t{1} << 30)))
        throw Error(fmt::format("-n: {} is out of range (-1 .. 2^30)", *n_predict));
    options.max_new_tokens = n_predict ? static_cast<int32_t>(*n_predict) : -1;
    const PromptTemplate prompt_template = parse_template(template_name.value_or("raw"));
    if (system && prompt_template.name() == "raw")
        throw Error("-s/--system needs a chat --template (the raw prompt has no place for it)");
    options.raw_text = raw || !template_name;
    std::unique_ptr<LlamaModel> model = load_model(load);
    report_device(*model, io.err);
    Conversation conversation;
    conversation.system = system;
    conversation.turns.push_back({ChatRole::User, *prompt});

    // The echo is the prompt's tokens as text, exactly as main printed them (BOS prints as nothing).
    const Tokenizer tokenizer(model->file().vocab);
    io.out << detokenize(tokenizer.vocab(), tokenize_prompt(tokenizer, prompt_template.render(conversation)),
                         options.raw_text ? Detokenizer::Mode::Raw : Detokenizer::Mode::Display)
           << std::flush;

    ChatSession session(*model, prompt_template);
    const GenerationStats stats =
        session.reply(conversation, options, [&](std::string_view text) { io.out << text << std::flush; });
    if (print_ids) io.out << fmt::format("\n[{}]\n", fmt::join(stats.tokens, ","));
    io.out.flush();
    io.err << fmt::format(
        "\nprompt: {} tokens in {:.2f} s; generated: {} tokens in {:.2f} s ({:.1f} tokens/s)\n",
        stats.prompt_tokens, stats.prompt_seconds, stats.generated_tokens, stats.generation_seconds,
        stats.generation_seconds > 0 ? static_cast<double>(stats.generated_tokens) / stats.generation_seconds
                                     : 0.0);
    return 0;
}

const std::string& usage() {
    static const std::string text = generation_usage(kUsage);
    return text;
}

const bool registered =
    register_subcommand({"run", "generate text from a prompt (like llama.cpp's main)", usage(), &run_run});

} // namespace
} // namespace fireside::cli
