#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fireside {

// What a LLaMA tensor is, whichever container named it.
enum class TensorRole {
    TokenEmbedding,
    OutputNorm,
    Output,
    AttnQ,
    AttnK,
    AttnV,
    AttnOut,
    AttnNorm,
    FfnGate, // w1
    FfnDown, // w2
    FfnUp,   // w3
    FfnNorm,
    Other,
};

struct TensorId {
    TensorRole role = TensorRole::Other;
    int layer = -1; // -1 for tensors outside the layers
};

// Parses a ggjt name ("layers.3.attention.wv.weight") or a GGUF name ("blk.3.attn_v.weight").
TensorId identify_tensor(std::string_view name);

// The names each container uses for a LLaMA tensor; an unknown name is returned unchanged.
std::string ggjt_tensor_name(const TensorId& id);
std::string gguf_tensor_name(const TensorId& id);
std::string to_ggjt_name(std::string_view name);
std::string to_gguf_name(std::string_view name);

} // namespace fireside
