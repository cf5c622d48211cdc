#include "app/cli/json_writer.h"
#include "app/cli/subcommand.h"
#include "engine/core/error.h"
#include "engine/format/model_file.h"
#include "engine/tokenizer/tokenizer.h"

#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace fireside::cli {
namespace {

constexpr std::string_view kUsage = R"(-m MODEL (-p TEXT | -f FILE) [--no-bos] [--no-space-prefix] [--pieces]

Prints the token ids of a text as a JSON array, tokenized with the model's vocabulary the way
llama.cpp's main did: BOS first and one space prepended, unless turned off.

  -m, --model MODEL     a ggjt v3 (.bin) or GGUF model file (only its vocabulary is read)
  -p, --prompt TEXT     the text to tokenize
  -f, --file FILE       read the text from a file instead (its bytes as they are)
  --no-bos              do not put the BOS token first
  --no-space-prefix     do not prepend a space to the text
  --pieces              print [{"id": N, "piece": "..."}, ...] instead of bare ids
                        (byte tokens show as <0xXX>, BOS/EOS as <s> and </s>))";

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot open the text file", path));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(fmt::format("{}: cannot read the text file", path));
    return text;
}

// A readable form of a token for --pieces.
std::string piece_label(const Vocab& vocab, int32_t id) {
    const size_t i = static_cast<size_t>(id);
    const TokenKind kind = vocab.kind[i];
    if (kind == TokenKind::Byte && vocab.text[i].size() == 1)
        return fmt::format("<0x{:02X}>", static_cast<unsigned char>(vocab.text[i][0]));
    if (kind == TokenKind::Control && vocab.text[i].empty()) {
        if (id == vocab.bos) return "<s>";
        if (id == vocab.eos) return "</s>";
    }
    return vocab.text[i];
}

int run_tokenize(Args& args, Io& io) {
    const auto model = args.value("-m", "--model");
    const auto prompt = args.value("-p", "--prompt");
    const auto file = args.value("-f", "--file");
    const bool no_bos = args.flag("--no-bos");
    const bool no_space_prefix = args.flag("--no-space-prefix");
    const bool pieces = args.flag("--pieces");
    args.finish();
    if (!model) throw Error("-m MODEL is required");
    if (prompt.has_value() == file.has_value())
        throw Error("give the text with exactly one of -p TEXT or -f FILE");

    const std::string text = prompt ? *prompt : read_text_file(*file);
    const Tokenizer tokenizer(open_model_file(*model).vocab);
    const std::vector<int32_t> ids = tokenizer.tokenize(text, !no_bos, !no_space_prefix);

    JsonWriter json(io.out, false);
    json.begin_array();
    for (int32_t id : ids) {
        if (pieces) {
            json.begin_object();
            json.field("id", id);
            json.field("piece", piece_label(tokenizer.vocab(), id));
            json.end_object();
        } else {
            json.value(id);
        }
    }
    json.end_array();
    json.finish();
    return 0;
}

const bool registered =
    register_subcommand({"tokenize", "print the token ids of a text as JSON", kUsage, &run_tokenize});

} // namespace
} // namespace fireside::cli
