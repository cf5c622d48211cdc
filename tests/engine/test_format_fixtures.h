#pragma once

// Tiny LLaMA-shaped model files built byte by byte, so the format tests (and the fuzzers' seed corpus) do
// not depend on ../shared or on the project's writers. Layouts follow the public ggjt v3 and GGUF specs.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace fireside::fixture {

class Bytes {
public:
    template <typename T>
    void put(T v) {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        data.insert(data.end(), p, p + sizeof(T));
    }
    void u8(uint8_t v) { put(v); }
    void u32(uint32_t v) { put(v); }
    void u64(uint64_t v) { put(v); }
    void f32(float v) { put(v); }
    void raw(std::string_view s) {
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        data.insert(data.end(), p, p + s.size());
    }
    void gguf_string(std::string_view s) {
        u64(s.size());
        raw(s);
    }
    void pad_to(size_t alignment) {
        while (data.size() % alignment != 0) data.push_back(std::byte{0});
    }
    std::vector<std::byte> data;
};

enum GgmlType : uint32_t { kF32 = 0, kF16 = 1, kQ8_0 = 8 };

struct Tensor {
    std::string ggjt_name, gguf_name;
    uint32_t type = kF32;
    std::vector<uint64_t> ne;
};

struct Model {
    uint32_t n_vocab = 0, n_embd = 32, n_mult = 32, n_head = 4, n_head_kv = 2, n_layer = 2, n_ff = 64,
             n_rot = 8;
    uint32_t ftype = 0;
    uint32_t ctx = 256;
    float eps = 1e-5f;
    std::vector<std::string> tokens; // in the ggjt convention (spaces, raw byte tokens)
    std::vector<float> scores;
    std::vector<Tensor> tensors;
};

inline uint64_t tensor_bytes(const Tensor& t) {
    uint64_t n = 1;
    for (uint64_t d : t.ne) n *= d;
    if (t.type == kF32) return n * 4;
    if (t.type == kF16) return n * 2;
    return n / 32 * 34; // q8_0: f16 scale + 32 int8
}

// Deterministic tensor bytes: every f16/q8_0 scale stays finite and small.
inline void put_tensor_data(Bytes& b, const Tensor& t, uint32_t seed) {
    uint64_t n = tensor_bytes(t);
    uint32_t x = seed * 2654435761u + 1;
    if (t.type == kF32) {
        for (uint64_t i = 0; i < n / 4; ++i) {
            x = x * 1664525u + 1013904223u;
            b.f32(static_cast<float>(static_cast<int32_t>(x >> 8) % 1000) / 4000.0f);
        }
    } else if (t.type == kF16) {
        for (uint64_t i = 0; i < n / 2; ++i) b.put<uint16_t>(static_cast<uint16_t>(0x2000 + (i % 512)));
    } else {
        for (uint64_t i = 0; i < n / 34; ++i) {
            b.put<uint16_t>(0x2400); // scale 2^-6
            for (int k = 0; k < 32; ++k) {
                x = x * 1664525u + 1013904223u;
                b.put<int8_t>(static_cast<int8_t>(x >> 24));
            }
        }
    }
}

// A tiny LLaMA: the 3 special tokens, 256 byte tokens and some words; layer matrices in `matrix_type`.
// Without byte tokens the file is a few KB, small enough for a fuzzer's seed corpus.
inline Model tiny_llama(uint32_t matrix_type = kF32, uint32_t n_layer = 2, bool byte_tokens = true) {
    Model m;
    m.n_layer = n_layer;
    m.ftype = matrix_type == kQ8_0 ? 7 : matrix_type == kF16 ? 1 : 0;
    m.tokens = {" \xE2\x81\x87 ", "", ""};
    for (int b = 0; byte_tokens && b < 256; ++b) m.tokens.push_back(std::string(1, static_cast<char>(b)));
    for (const char* w : {" the", " a", "e", "t", " cat", " sat", "\xC3\xA9t\xC3\xA9", " on"})
        m.tokens.push_back(w);
    m.n_vocab = static_cast<uint32_t>(m.tokens.size());
    for (uint32_t i = 0; i < m.n_vocab; ++i)
        m.scores.push_back(i < 259 ? 0.0f : -static_cast<float>(i - 258));
    const uint64_t e = m.n_embd, kv = uint64_t{m.n_embd} / m.n_head * m.n_head_kv, ff = m.n_ff;
    m.tensors.push_back({"tok_embeddings.weight", "token_embd.weight", kF32, {e, m.n_vocab}});
    m.tensors.push_back({"norm.weight", "output_norm.weight", kF32, {e}});
    m.tensors.push_back({"output.weight", "output.weight", kF32, {e, m.n_vocab}});
    for (uint32_t l = 0; l < n_layer; ++l) {
        auto g = [&](const char* s) { return "layers." + std::to_string(l) + "." + s; };
        auto u = [&](const char* s) { return "blk." + std::to_string(l) + "." + s; };
        m.tensors.push_back({g("attention_norm.weight"), u("attn_norm.weight"), kF32, {e}});
        m.tensors.push_back({g("attention.wq.weight"), u("attn_q.weight"), matrix_type, {e, e}});
        m.tensors.push_back({g("attention.wk.weight"), u("attn_k.weight"), matrix_type, {e, kv}});
        m.tensors.push_back({g("attention.wv.weight"), u("attn_v.weight"), matrix_type, {e, kv}});
        m.tensors.push_back({g("attention.wo.weight"), u("attn_output.weight"), matrix_type, {e, e}});
        m.tensors.push_back({g("ffn_norm.weight"), u("ffn_norm.weight"), kF32, {e}});
        m.tensors.push_back({g("feed_forward.w1.weight"), u("ffn_gate.weight"), matrix_type, {e, ff}});
        m.tensors.push_back({g("feed_forward.w2.weight"), u("ffn_down.weight"), matrix_type, {ff, e}});
        m.tensors.push_back({g("feed_forward.w3.weight"), u("ffn_up.weight"), matrix_type, {e, ff}});
    }
    return m;
}

inline std::vector<std::byte> build_ggjt(const Model& m, uint32_t magic = 0x67676a74, uint32_t version = 3) {
    Bytes b;
    b.u32(magic);
    b.u32(version);
    for (uint32_t v : {m.n_vocab, m.n_embd, m.n_mult, m.n_head, m.n_layer, m.n_rot, m.ftype}) b.u32(v);
    for (size_t i = 0; i < m.tokens.size(); ++i) {
        b.u32(static_cast<uint32_t>(m.tokens[i].size()));
        b.raw(m.tokens[i]);
        b.f32(m.scores[i]);
    }
    uint32_t seed = 0;
    for (const Tensor& t : m.tensors) {
        b.u32(static_cast<uint32_t>(t.ne.size()));
        b.u32(static_cast<uint32_t>(t.ggjt_name.size()));
        b.u32(t.type);
        for (uint64_t d : t.ne) b.u32(static_cast<uint32_t>(d));
        b.raw(t.ggjt_name);
        b.pad_to(32);
        put_tensor_data(b, t, ++seed);
    }
    return b.data;
}

// GGUF value type ids.
enum GgufType : uint32_t {
    kU8 = 0,
    kI8,
    kU16,
    kI16,
    kU32,
    kI32,
    kF32v,
    kBool,
    kString,
    kArray,
    kU64,
    kI64,
    kF64
};

struct GgufOptions {
    uint32_t version = 3;
    uint32_t alignment = 32;      // written as general.alignment when not 32
    bool every_value_type = true; // adds one key of each scalar type and an array of each item type
    bool nested_array = false;    // adds an array of arrays (must be refused)
};

inline bool has_byte_tokens(const Model& m) {
    return m.tokens.size() >= 259 && m.tokens[3] == std::string(1, '\0');
}

inline std::string gguf_piece(const Model& m, const std::string& text, size_t id) {
    if (id == 0) return "<unk>";
    if (id == 1) return "<s>";
    if (id == 2) return "</s>";
    if (has_byte_tokens(m) && id >= 3 && id < 259) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", static_cast<unsigned>(id - 3));
        return buf;
    }
    std::string out;
    for (char c : text) out += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    return out;
}

inline std::vector<std::byte> build_gguf(const Model& m, const GgufOptions& o = {}) {
    Bytes kv;
    uint64_t n_kv = 0;
    auto key = [&](std::string_view k, uint32_t type) {
        kv.gguf_string(k);
        kv.u32(type);
        ++n_kv;
    };
    key("general.architecture", kString), kv.gguf_string("llama");
    key("general.name", kString), kv.gguf_string("tiny fixture");
    key("general.file_type", kU32), kv.u32(m.ftype);
    if (o.alignment != 32) key("general.alignment", kU32), kv.u32(o.alignment);
    key("llama.context_length", kU32), kv.u32(m.ctx);
    key("llama.embedding_length", kU32), kv.u32(m.n_embd);
    key("llama.block_count", kU32), kv.u32(m.n_layer);
    key("llama.feed_forward_length", kU32), kv.u32(m.n_ff);
    key("llama.rope.dimension_count", kU32), kv.u32(m.n_rot);
    key("llama.attention.head_count", kU32), kv.u32(m.n_head);
    key("llama.attention.head_count_kv", kU32), kv.u32(m.n_head_kv);
    key("llama.attention.layer_norm_rms_epsilon", kF32v), kv.f32(m.eps);
    key("tokenizer.ggml.model", kString), kv.gguf_string("llama");
    key("tokenizer.ggml.tokens", kArray), kv.u32(kString), kv.u64(m.tokens.size());
    for (size_t i = 0; i < m.tokens.size(); ++i) kv.gguf_string(gguf_piece(m, m.tokens[i], i));
    key("tokenizer.ggml.scores", kArray), kv.u32(kF32v), kv.u64(m.scores.size());
    for (float s : m.scores) kv.f32(s);
    key("tokenizer.ggml.token_type", kArray), kv.u32(kI32), kv.u64(m.tokens.size());
    for (size_t i = 0; i < m.tokens.size(); ++i) kv.put<int32_t>(i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1);
    key("tokenizer.ggml.bos_token_id", kU32), kv.u32(1);
    key("tokenizer.ggml.eos_token_id", kU32), kv.u32(2);
    key("tokenizer.ggml.unknown_token_id", kU32), kv.u32(0);
    if (o.every_value_type) {
        key("fixture.u8", kU8), kv.u8(200);
        key("fixture.i8", kI8), kv.put<int8_t>(-100);
        key("fixture.u16", kU16), kv.put<uint16_t>(60000);
        key("fixture.i16", kI16), kv.put<int16_t>(-30000);
        key("fixture.i32", kI32), kv.put<int32_t>(-2000000000);
        key("fixture.u64", kU64), kv.u64(1ull << 40);
        key("fixture.i64", kI64), kv.put<int64_t>(-(1ll << 40));
        key("fixture.f64", kF64), kv.put<double>(0.125);
        key("fixture.bool", kBool), kv.u8(1);
        key("fixture.u16s", kArray), kv.u32(kU16), kv.u64(3), kv.put<uint16_t>(1), kv.put<uint16_t>(2),
            kv.put<uint16_t>(3);
        key("fixture.bools", kArray), kv.u32(kBool), kv.u64(2), kv.u8(0), kv.u8(1);
        key("fixture.f64s", kArray), kv.u32(kF64), kv.u64(1), kv.put<double>(-2.5);
        key("fixture.empty", kArray), kv.u32(kI64), kv.u64(0);
    }
    if (o.nested_array) key("fixture.nested", kArray), kv.u32(kArray), kv.u64(1), kv.u32(kU8), kv.u64(0);

    Bytes infos;
    uint64_t offset = 0;
    for (const Tensor& t : m.tensors) {
        infos.gguf_string(t.gguf_name);
        infos.u32(static_cast<uint32_t>(t.ne.size()));
        for (uint64_t d : t.ne) infos.u64(d);
        infos.u32(t.type);
        infos.u64(offset);
        offset += (tensor_bytes(t) + o.alignment - 1) / o.alignment * o.alignment;
    }

    Bytes b;
    b.raw("GGUF");
    b.u32(o.version);
    b.u64(m.tensors.size());
    b.u64(n_kv);
    b.data.insert(b.data.end(), kv.data.begin(), kv.data.end());
    b.data.insert(b.data.end(), infos.data.begin(), infos.data.end());
    b.pad_to(o.alignment);
    uint32_t seed = 0;
    for (const Tensor& t : m.tensors) {
        put_tensor_data(b, t, ++seed);
        b.pad_to(o.alignment);
    }
    return b.data;
}

} // namespace fireside::fixture
