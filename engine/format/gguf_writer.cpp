#include "engine/format/gguf_writer.h"

#include "engine/core/error.h"
#include "engine/format/atomic_file_writer.h"
#include "engine/format/gguf_types.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace fireside {

namespace {

constexpr uint32_t kGgufVersion = 3;

template <typename T>
void append(std::string& out, const T& value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

void append_string(std::string& out, std::string_view s) {
    append(out, static_cast<uint64_t>(s.size()));
    out.append(s);
}

template <typename T>
std::string scalar(GgufType type, T value) {
    std::string out;
    append(out, static_cast<uint32_t>(type));
    append(out, value);
    return out;
}

std::string array_header(GgufType element, size_t count) {
    std::string out;
    append(out, static_cast<uint32_t>(GgufType::Array));
    append(out, static_cast<uint32_t>(element));
    append(out, static_cast<uint64_t>(count));
    return out;
}

} // namespace

void GgufMetadata::set(std::string_view key, std::string encoded) {
    auto it = std::ranges::find(entries_, key, &std::pair<std::string, std::string>::first);
    if (it != entries_.end())
        it->second = std::move(encoded);
    else
        entries_.emplace_back(std::string(key), std::move(encoded));
}

bool GgufMetadata::contains(std::string_view key) const {
    return std::ranges::find(entries_, key, &std::pair<std::string, std::string>::first) != entries_.end();
}

void GgufMetadata::set_u32(std::string_view key, uint32_t value) {
    set(key, scalar(GgufType::U32, value));
}
void GgufMetadata::set_i32(std::string_view key, int32_t value) {
    set(key, scalar(GgufType::I32, value));
}
void GgufMetadata::set_u64(std::string_view key, uint64_t value) {
    set(key, scalar(GgufType::U64, value));
}
void GgufMetadata::set_f32(std::string_view key, float value) {
    set(key, scalar(GgufType::F32, value));
}
void GgufMetadata::set_bool(std::string_view key, bool value) {
    set(key, scalar(GgufType::Bool, static_cast<uint8_t>(value ? 1 : 0)));
}

void GgufMetadata::set_string(std::string_view key, std::string_view value) {
    std::string out;
    append(out, static_cast<uint32_t>(GgufType::String));
    append_string(out, value);
    set(key, std::move(out));
}

void GgufMetadata::set_string_array(std::string_view key, std::span<const std::string> values) {
    std::string out = array_header(GgufType::String, values.size());
    for (const std::string& v : values) append_string(out, v);
    set(key, std::move(out));
}

void GgufMetadata::set_f32_array(std::string_view key, std::span<const float> values) {
    std::string out = array_header(GgufType::F32, values.size());
    for (float v : values) append(out, v);
    set(key, std::move(out));
}

void GgufMetadata::set_i32_array(std::string_view key, std::span<const int32_t> values) {
    std::string out = array_header(GgufType::I32, values.size());
    for (int32_t v : values) append(out, v);
    set(key, std::move(out));
}

TokenKind token_kind(const Vocab& vocab, size_t id) {
    if (id < vocab.kind.size()) return vocab.kind[id];
    auto is = [&](int32_t special) { return special >= 0 && static_cast<size_t>(special) == id; };
    if (is(vocab.unk)) return TokenKind::Unknown;
    if (is(vocab.bos) || is(vocab.eos)) return TokenKind::Control;
    // The llama-era layout: ids 3..258 are the byte-fallback tokens 0x00..0xFF.
    if (id >= 3 && id < 259 && vocab.text[id].size() == 1 &&
        static_cast<unsigned char>(vocab.text[id][0]) == id - 3)
        return TokenKind::Byte;
    return TokenKind::Normal;
}

std::string gguf_token_text(const Vocab& vocab, size_t id) {
    auto is = [&](int32_t special) { return special >= 0 && static_cast<size_t>(special) == id; };
    if (is(vocab.unk)) return "<unk>";
    if (is(vocab.bos)) return "<s>";
    if (is(vocab.eos)) return "</s>";
    const std::string& text = vocab.text[id];
    if (token_kind(vocab, id) == TokenKind::Byte && text.size() == 1)
        return fmt::format("<0x{:02X}>", static_cast<unsigned char>(text[0]));
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == ' ')
            out += "\xE2\x96\x81";
        else
            out += c;
    }
    return out;
}

GgufMetadata llama_gguf_metadata(const LlamaHparams& h, const Vocab& vocab) {
    auto u32 = [](int64_t v, std::string_view what) {
        if (v < 0 || v > 0xffffffffLL) throw Error(fmt::format("{} {} does not fit a GGUF u32", what, v));
        return static_cast<uint32_t>(v);
    };
    GgufMetadata m;
    m.set_string("general.architecture", "llama");
    m.set_string("general.name", h.name.empty() ? std::string("llama") : h.name);
    if (!h.description.empty()) m.set_string("general.description", h.description);
    m.set_u32("general.file_type", h.ftype);
    m.set_u32("general.alignment", kGgufAlignment);
    m.set_u32("llama.context_length", u32(h.n_ctx, "context length"));
    m.set_u32("llama.embedding_length", u32(h.n_embd, "n_embd"));
    m.set_u32("llama.block_count", u32(h.n_layer, "n_layer"));
    m.set_u32("llama.feed_forward_length", u32(h.n_ff, "n_ff"));
    m.set_u32("llama.rope.dimension_count", u32(h.n_rot, "n_rot"));
    m.set_u32("llama.attention.head_count", u32(h.n_head, "n_head"));
    m.set_u32("llama.attention.head_count_kv", u32(h.n_head_kv, "n_head_kv"));
    m.set_f32("llama.attention.layer_norm_rms_epsilon", h.rms_eps);
    m.set_f32("llama.rope.freq_base", h.rope_freq_base);
    if (h.rope_freq_scale != 1.0f) {
        // Older readers take rope.scale_linear, newer ones rope.scaling.*; both mean 1 / freq_scale.
        m.set_string("llama.rope.scaling.type", "linear");
        m.set_f32("llama.rope.scaling.factor", 1.0f / h.rope_freq_scale);
        m.set_f32("llama.rope.scale_linear", 1.0f / h.rope_freq_scale);
    }

    std::vector<std::string> tokens(vocab.size());
    std::vector<float> scores(vocab.size(), 0.0f);
    std::vector<int32_t> types(vocab.size());
    for (size_t id = 0; id < vocab.size(); ++id) {
        tokens[id] = gguf_token_text(vocab, id);
        if (id < vocab.score.size()) scores[id] = vocab.score[id];
        types[id] = static_cast<int32_t>(token_kind(vocab, id));
    }
    m.set_string("tokenizer.ggml.model", "llama");
    m.set_string_array("tokenizer.ggml.tokens", tokens);
    m.set_f32_array("tokenizer.ggml.scores", scores);
    m.set_i32_array("tokenizer.ggml.token_type", types);
    if (vocab.bos >= 0) m.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(vocab.bos));
    if (vocab.eos >= 0) m.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(vocab.eos));
    if (vocab.unk >= 0) m.set_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(vocab.unk));
    return m;
}

void write_gguf(const std::filesystem::path& path, const GgufMetadata& metadata,
                std::span<const TensorToWrite> tensors, const RowProducer& rows,
                const ProgressCallback& progress, uint32_t alignment) {
    const std::string target = path.string();
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw Error(fmt::format("{}: GGUF alignment {} is not a power of two", target, alignment));
    check_tensors_to_write(tensors, target);
    for (size_t i = 0; i < tensors.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (tensors[i].name == tensors[j].name)
                throw Error(fmt::format("{}: tensor '{}' appears twice", target, tensors[i].name));

    AtomicFileWriter out(path);
    out.put(kGgufMagic);
    out.put(kGgufVersion);
    out.put(static_cast<uint64_t>(tensors.size()));
    out.put(static_cast<uint64_t>(metadata.size()));
    std::string buffer;
    for (const auto& [key, value] : metadata.entries()) {
        buffer.clear();
        append_string(buffer, key);
        buffer += value;
        out.write(buffer.data(), buffer.size());
    }

    auto aligned = [&](uint64_t v) { return (v + alignment - 1) / alignment * alignment; };
    uint64_t data_offset = 0, bytes_total = 0;
    for (const TensorToWrite& t : tensors) {
        buffer.clear();
        append_string(buffer, t.name);
        append(buffer, static_cast<uint32_t>(t.ne.size()));
        for (int64_t d : t.ne) append(buffer, static_cast<uint64_t>(d));
        append(buffer, static_cast<uint32_t>(t.type));
        append(buffer, data_offset);
        out.write(buffer.data(), buffer.size());
        data_offset = aligned(data_offset + t.n_bytes());
        bytes_total += t.n_bytes();
    }
    out.pad_to(alignment);

    // The data section starts aligned, so aligning the file offset aligns each tensor's relative offset.
    uint64_t bytes_done = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        out.pad_to(alignment);
        stream_tensor_data(out, tensors, i, rows, bytes_done, bytes_total, progress);
    }
    out.commit();
}

} // namespace fireside
