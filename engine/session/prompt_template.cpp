#include "engine/session/prompt_template.h"

#include "engine/core/error.h"
#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace fireside {
namespace {

struct Builtin {
    std::string_view name;
    std::string_view spec;
    std::string_view default_system;
};

// Orca-Hashes is the default for the Orca-mini / TinyStories family this app targets. Answers are
// stored as generated, so formats where models answer after a space ("[/INST] Sure", "ASSISTANT: Hi")
// put no space of their own before {assistant}.
constexpr std::array<Builtin, 6> kBuiltins{{
    {"orca-hashes",
     "{#system}### System:\\n{system}\\n\\n{/system}### User:\\n{user}\\n\\n### "
     "Assistant:\\n{assistant}\\n\\n",
     "You are an AI assistant that follows instruction extremely well. Help as much as you can."},
    {"llama-2-chat",
     "{bos}[INST] {#system}<<SYS>>\\n{system}\\n<</SYS>>\\n\\n{/system}{user} [/INST]{assistant} {eos}", ""},
    {"alpaca",
     "{#system}{system}\\n\\n{/system}### Instruction:\\n{user}\\n\\n### Response:\\n{assistant}\\n\\n",
     "Below is an instruction that describes a task. Write a response that appropriately completes the "
     "request."},
    {"vicuna", "{#system}{system} {/system}USER: {user} ASSISTANT:{assistant}{eos}",
     "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
     "detailed, and polite answers to the user's questions."},
    {"chatml",
     "{#system}<|im_start|>system\\n{system}<|im_end|>\\n{/"
     "system}<|im_start|>user\\n{user}<|im_end|>\\n<|im_start|>"
     "assistant\\n{assistant}<|im_end|>\\n",
     ""},
    {"raw", "{user}{assistant}", ""},
}};

constexpr std::array<std::string_view, kBuiltins.size()> kBuiltinNames = [] {
    std::array<std::string_view, kBuiltins.size()> names{};
    for (size_t i = 0; i < kBuiltins.size(); ++i) names[i] = kBuiltins[i].name;
    return names;
}();

enum class Tag { Text, Bos, Eos, SystemOpen, SystemClose, System, User, Assistant };

struct Element {
    Tag tag;
    std::string text;
};

// Appends keeping the list canonical: adjacent texts merged, empty texts dropped, no BOS twice in a row.
void append(std::vector<PromptPiece>& out, const PromptPiece& piece) {
    if (piece.kind == PromptPiece::Kind::Text) {
        if (piece.text.empty()) return;
        if (!out.empty() && out.back().kind == PromptPiece::Kind::Text) {
            out.back().text += piece.text;
            return;
        }
    } else if (piece.kind == PromptPiece::Kind::Bos && !out.empty() &&
               out.back().kind == PromptPiece::Kind::Bos) {
        return;
    }
    out.push_back(piece);
}

void append(std::vector<PromptPiece>& out, const std::vector<PromptPiece>& pieces) {
    for (const PromptPiece& p : pieces) append(out, p);
}

PromptPiece text_piece(std::string text) {
    return {PromptPiece::Kind::Text, std::move(text)};
}

std::vector<Element> lex(std::string_view name, std::string_view spec) {
    const auto fail = [&](const std::string& problem) {
        return Error(fmt::format("prompt template {}: {}", name, problem));
    };
    std::vector<Element> out;
    std::string text;
    const auto flush = [&] {
        if (!text.empty()) out.push_back({Tag::Text, std::move(text)});
        text.clear();
    };
    for (size_t i = 0; i < spec.size(); ++i) {
        const char c = spec[i];
        if (c == '\\') {
            if (i + 1 >= spec.size())
                throw fail("it ends with a lone backslash (write \\\\ for a backslash)");
            const char e = spec[++i];
            if (e == 'n')
                text += '\n';
            else if (e == 't')
                text += '\t';
            else if (e == '\\')
                text += '\\';
            else
                throw fail(fmt::format("unknown escape \\{} (use \\n, \\t or \\\\)", e));
        } else if (c == '{' && i + 1 < spec.size() && spec[i + 1] == '{') {
            text += '{';
            ++i;
        } else if (c == '}' && i + 1 < spec.size() && spec[i + 1] == '}') {
            text += '}';
            ++i;
        } else if (c == '}') {
            throw fail(fmt::format("unmatched '}}' at offset {} (write }}}} for a literal brace)", i));
        } else if (c == '{') {
            const size_t end = spec.find('}', i);
            if (end == std::string_view::npos)
                throw fail(fmt::format("unclosed '{{' at offset {} (write {{{{ for a literal brace)", i));
            const std::string_view tag = spec.substr(i + 1, end - i - 1);
            Tag t;
            if (tag == "bos")
                t = Tag::Bos;
            else if (tag == "eos")
                t = Tag::Eos;
            else if (tag == "#system")
                t = Tag::SystemOpen;
            else if (tag == "/system")
                t = Tag::SystemClose;
            else if (tag == "system")
                t = Tag::System;
            else if (tag == "user")
                t = Tag::User;
            else if (tag == "assistant")
                t = Tag::Assistant;
            else
                throw fail(fmt::format("unknown placeholder {{{}}} (known: {{user}} {{assistant}} {{system}} "
                                       "{{#system}} {{/system}} {{bos}} {{eos}})",
                                       tag));
            flush();
            out.push_back({t, {}});
            i = end;
        } else {
            text += c;
        }
    }
    flush();
    return out;
}

std::string trimmed_text(const std::vector<PromptPiece>& pieces) {
    std::string text;
    for (const PromptPiece& p : pieces) text += p.text;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

} // namespace

PromptTemplate PromptTemplate::parse(std::string_view name, std::string_view spec,
                                     std::string default_system) {
    const auto fail = [&](std::string_view problem) {
        return Error(fmt::format("prompt template {}: {}", name, problem));
    };
    PromptTemplate t;
    t.name_ = std::string(name);
    t.default_system_ = std::move(default_system);

    enum class Part { Prefix, SystemBefore, SystemAfter, PrefixAfterSystem, Generation, Suffix };
    Part part = Part::Prefix;
    bool seen_block = false;
    const auto target = [&]() -> std::vector<PromptPiece>& {
        switch (part) {
        case Part::Prefix:
            return t.prefix_before_system_;
        case Part::SystemBefore:
            return t.system_before_;
        case Part::SystemAfter:
            return t.system_after_;
        case Part::PrefixAfterSystem:
            return t.prefix_after_system_;
        case Part::Generation:
            return t.generation_prompt_;
        case Part::Suffix:
            break;
        }
        return t.answer_suffix_;
    };
    for (Element& e : lex(name, spec)) {
        const bool in_block = part == Part::SystemBefore || part == Part::SystemAfter;
        switch (e.tag) {
        case Tag::Text:
            append(target(), text_piece(std::move(e.text)));
            break;
        case Tag::Bos:
            append(target(), PromptPiece{PromptPiece::Kind::Bos, {}});
            break;
        case Tag::Eos:
            append(target(), PromptPiece{PromptPiece::Kind::Eos, {}});
            break;
        case Tag::SystemOpen:
            if (part != Part::Prefix || seen_block)
                throw fail("{#system} may appear once, before {user}, and blocks cannot nest");
            part = Part::SystemBefore;
            seen_block = true;
            t.has_system_block_ = true;
            break;
        case Tag::System:
            if (part != Part::SystemBefore)
                throw fail("{system} must appear once, inside {#system} ... {/system}");
            part = Part::SystemAfter;
            break;
        case Tag::SystemClose:
            if (!in_block) throw fail("{/system} without a matching {#system}");
            if (part != Part::SystemAfter)
                throw fail("the {#system} ... {/system} block must contain {system}");
            part = Part::PrefixAfterSystem;
            break;
        case Tag::User:
            if (in_block) throw fail("{user} cannot be inside the {#system} block");
            if (part != Part::Prefix && part != Part::PrefixAfterSystem)
                throw fail("{user} must appear exactly once");
            part = Part::Generation;
            break;
        case Tag::Assistant:
            if (part != Part::Generation) throw fail("{assistant} must appear exactly once, after {user}");
            part = Part::Suffix;
            break;
        }
    }
    if (part == Part::SystemBefore || part == Part::SystemAfter)
        throw fail("{#system} is never closed by {/system}");
    if (part == Part::Prefix || part == Part::PrefixAfterSystem) throw fail("it has no {user} placeholder");
    if (part == Part::Generation) throw fail("it has no {assistant} placeholder after {user}");
    return t;
}

PromptTemplate PromptTemplate::builtin(std::string_view name) {
    for (const Builtin& b : kBuiltins)
        if (b.name == name) return parse(b.name, b.spec, std::string(b.default_system));
    throw Error(fmt::format("unknown prompt template '{}'; built-in templates: {}", name,
                            fmt::join(kBuiltinNames, ", ")));
}

std::span<const std::string_view> PromptTemplate::builtin_names() {
    return kBuiltinNames;
}

std::vector<PromptPiece> PromptTemplate::render(const Conversation& conversation) const {
    const std::string& system = conversation.system ? *conversation.system : default_system_;
    std::vector<PromptPiece> out{PromptPiece{PromptPiece::Kind::Bos, {}}};
    for (size_t i = 0; i < conversation.turns.size(); ++i) {
        const ChatTurn& turn = conversation.turns[i];
        const ChatRole expected = i % 2 == 0 ? ChatRole::User : ChatRole::Assistant;
        if (turn.role != expected)
            throw Error(
                fmt::format("conversation turn {} should be the {}'s: turns must alternate, starting with "
                            "the user",
                            i + 1, expected == ChatRole::User ? "user" : "assistant"));
        if (turn.role == ChatRole::User) {
            append(out, prefix_before_system_);
            if (i == 0 && has_system_block_ && !system.empty()) {
                append(out, system_before_);
                append(out, text_piece(system));
                append(out, system_after_);
            }
            append(out, prefix_after_system_);
            append(out, text_piece(turn.text));
            append(out, generation_prompt_);
        } else {
            append(out, text_piece(turn.text));
            append(out, answer_suffix_);
        }
    }
    return out;
}

std::vector<std::string> PromptTemplate::stop_strings() const {
    std::vector<std::string> out;
    std::vector<PromptPiece> prefix = prefix_before_system_;
    append(prefix, prefix_after_system_);
    for (const std::string& s : {trimmed_text(prefix), trimmed_text(answer_suffix_)})
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return out;
}

bool is_prompt_prefix(std::span<const PromptPiece> prefix, std::span<const PromptPiece> whole) {
    if (prefix.size() > whole.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        const PromptPiece& a = prefix[i];
        const PromptPiece& b = whole[i];
        if (a.kind != b.kind) return false;
        const bool last = i + 1 == prefix.size();
        if (last ? !b.text.starts_with(a.text) : a.text != b.text) return false;
    }
    return true;
}

std::vector<int32_t> tokenize_prompt(const Tokenizer& tokenizer, std::span<const PromptPiece> pieces,
                                     bool space_prefix) {
    std::vector<int32_t> out;
    bool at_start = true;
    for (const PromptPiece& p : pieces) {
        switch (p.kind) {
        case PromptPiece::Kind::Bos:
            out.push_back(tokenizer.bos());
            at_start = true;
            break;
        case PromptPiece::Kind::Eos:
            out.push_back(tokenizer.eos());
            at_start = false;
            break;
        case PromptPiece::Kind::Text: {
            const std::vector<int32_t> ids = tokenizer.tokenize(p.text, false, space_prefix && at_start);
            out.insert(out.end(), ids.begin(), ids.end());
            at_start = false;
            break;
        }
        }
    }
    return out;
}

} // namespace fireside
