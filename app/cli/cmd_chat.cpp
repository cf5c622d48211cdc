#include "app/cli/model_options.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/session/chat_session.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <string>
#include <unistd.h>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(-m MODEL [-s SYSTEM] [--template NAME|SPEC] [OPTIONS]

An interactive chat in the terminal: type a message after "> ", the answer streams back. Ctrl-C during
an answer stops that answer; Ctrl-D or /exit quits; /reset starts a new conversation. When stdin is not
a terminal, every line is one message (no prompt is printed), so a conversation can be piped in.

  -s, --system TEXT       system prompt (default: the template's)
  --template NAME|SPEC    chat template (default orca-hashes): orca-hashes, llama-2-chat, alpaca,
                          vicuna, chatml, raw, or a template like "USER: {user}\nASSISTANT:{assistant}\n"
  -n, --n-predict N       most tokens per answer (default -1: until the model ends its turn)
  -r, --reverse-prompt S  an extra stop string: the answer ends before it
)";

// Set from the SIGINT handler: std::atomic<bool> is lock-free here, so it is safe in a handler.
std::atomic<bool> g_answering{false};
std::atomic<bool> g_cancel{false};

extern "C" void on_interrupt(int) {
    if (g_answering.load()) {
        g_cancel.store(true);
        return;
    }
    // At the prompt, Ctrl-C ends the program as usual.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
}

// Restores the previous SIGINT handler when the chat ends (the CLI also runs inside tests).
class InterruptGuard {
public:
    InterruptGuard() : previous_(std::signal(SIGINT, on_interrupt)) {}
    ~InterruptGuard() { std::signal(SIGINT, previous_); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*previous_)(int);
};

int run_chat(Args& args, Io& io) {
    LoadOptions load = parse_model_options(args);
    GenerationOptions options;
    options.sampler = parse_sampler_options(args);
    const auto system = args.value("-s", "--system");
    const auto template_name = args.value("--template");
    const auto n_predict = args.integer("-n", "--n-predict");
    if (auto stop = args.value("-r", "--reverse-prompt")) options.stop_strings.push_back(*stop);
    args.finish();
    if (n_predict && (*n_predict < -1 || *n_predict > (int64_t{1} << 30)))
        throw Error(fmt::format("-n: {} is out of range (-1 .. 2^30)", *n_predict));
    options.max_new_tokens = n_predict ? static_cast<int32_t>(*n_predict) : -1;
    const PromptTemplate prompt_template = parse_template(template_name.value_or("orca-hashes"));
    std::unique_ptr<LlamaModel> model = load_model(load);
    report_device(*model, io.err);
    ChatSession session(*model, prompt_template);
    const bool interactive = isatty(STDIN_FILENO) != 0;
    if (interactive)
        io.err << fmt::format("{} loaded ({} tokens of context, template {}). Ctrl-C stops an answer, "
                              "Ctrl-D or /exit quits, /reset starts over.\n",
                              load.path.filename().string(), session.context_size(), prompt_template.name());

    Conversation conversation;
    conversation.system = system;
    InterruptGuard guard;
    std::string line;
    for (;;) {
        if (interactive) io.out << "> " << std::flush;
        if (!std::getline(std::cin, line)) break;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "/exit" || line == "/quit") break;
        if (line == "/reset") {
            conversation.turns.clear();
            io.out << "[conversation cleared]\n" << std::flush;
            continue;
        }
        if (line.empty()) continue;
        conversation.turns.push_back({ChatRole::User, line});
        g_cancel.store(false);
        g_answering.store(true);
        GenerationStats stats;
        try {
            stats = session.reply(
                conversation, options, [&](std::string_view text) { io.out << text << std::flush; },
                &g_cancel);
        } catch (...) {
            g_answering.store(false);
            throw;
        }
        g_answering.store(false);
        conversation.turns.push_back({ChatRole::Assistant, stats.answer});
        if (stats.reason == FinishReason::Cancelled) io.out << " [stopped]";
        io.out << "\n" << std::flush;
        if (stats.dropped_turns > 0)
            io.err << fmt::format("[the context was full: {} earlier exchange(s) left out]\n",
                                  stats.dropped_turns);
    }
    if (interactive) io.out << "\n";
    io.out.flush();
    return 0;
}

const std::string& usage() {
    static const std::string text = generation_usage(kUsage);
    return text;
}

const bool registered =
    register_subcommand({"chat", "chat with a model in the terminal", usage(), &run_chat});

} // namespace
} // namespace fireside::cli
