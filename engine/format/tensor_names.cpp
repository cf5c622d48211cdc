#include "engine/format/tensor_names.h"

#include <array>
#include <charconv>
#include <fmt/format.h>

namespace fireside {
namespace {

struct RoleNames {
    TensorRole role;
    bool per_layer;
    std::string_view ggjt; // suffix after "layers.N." for per-layer tensors
    std::string_view gguf; // suffix after "blk.N."
};

constexpr std::array<RoleNames, 12> kNames{{
    {TensorRole::TokenEmbedding, false, "tok_embeddings.weight", "token_embd.weight"},
    {TensorRole::OutputNorm, false, "norm.weight", "output_norm.weight"},
    {TensorRole::Output, false, "output.weight", "output.weight"},
    {TensorRole::AttnQ, true, "attention.wq.weight", "attn_q.weight"},
    {TensorRole::AttnK, true, "attention.wk.weight", "attn_k.weight"},
    {TensorRole::AttnV, true, "attention.wv.weight", "attn_v.weight"},
    {TensorRole::AttnOut, true, "attention.wo.weight", "attn_output.weight"},
    {TensorRole::AttnNorm, true, "attention_norm.weight", "attn_norm.weight"},
    {TensorRole::FfnGate, true, "feed_forward.w1.weight", "ffn_gate.weight"},
    {TensorRole::FfnDown, true, "feed_forward.w2.weight", "ffn_down.weight"},
    {TensorRole::FfnUp, true, "feed_forward.w3.weight", "ffn_up.weight"},
    {TensorRole::FfnNorm, true, "ffn_norm.weight", "ffn_norm.weight"},
}};

const RoleNames* names_of(TensorRole role) {
    for (const RoleNames& n : kNames)
        if (n.role == role) return &n;
    return nullptr;
}

// "<prefix><digits>.<rest>" -> layer and rest.
std::optional<std::pair<int, std::string_view>> split_layer(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix)) return std::nullopt;
    std::string_view rest = name.substr(prefix.size());
    int layer = -1;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), layer);
    if (ec != std::errc() || end == rest.data() || layer < 0) return std::nullopt;
    size_t used = static_cast<size_t>(end - rest.data());
    if (used >= rest.size() || rest[used] != '.') return std::nullopt;
    return std::pair{layer, rest.substr(used + 1)};
}

} // namespace

TensorId identify_tensor(std::string_view name) {
    for (const RoleNames& n : kNames)
        if (!n.per_layer && (name == n.ggjt || name == n.gguf)) return {n.role, -1};
    using Prefix = std::pair<std::string_view, bool>; // (layer prefix, GGUF naming)
    for (auto [prefix, gguf] : {Prefix{"layers.", false}, Prefix{"blk.", true}}) {
        auto split = split_layer(name, prefix);
        if (!split) continue;
        for (const RoleNames& n : kNames)
            if (n.per_layer && split->second == (gguf ? n.gguf : n.ggjt)) return {n.role, split->first};
    }
    return {};
}

std::string ggjt_tensor_name(const TensorId& id) {
    const RoleNames* n = names_of(id.role);
    if (!n) return {};
    return n->per_layer ? fmt::format("layers.{}.{}", id.layer, n->ggjt) : std::string(n->ggjt);
}

std::string gguf_tensor_name(const TensorId& id) {
    const RoleNames* n = names_of(id.role);
    if (!n) return {};
    return n->per_layer ? fmt::format("blk.{}.{}", id.layer, n->gguf) : std::string(n->gguf);
}

std::string to_ggjt_name(std::string_view name) {
    TensorId id = identify_tensor(name);
    return id.role == TensorRole::Other ? std::string(name) : ggjt_tensor_name(id);
}

std::string to_gguf_name(std::string_view name) {
    TensorId id = identify_tensor(name);
    return id.role == TensorRole::Other ? std::string(name) : gguf_tensor_name(id);
}

} // namespace fireside
