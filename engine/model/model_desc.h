#pragma once

#include "engine/format/model_file.h"
#include "engine/quant/block_type.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace fireside {

enum class RopeScaling {
    None,
    Linear,  // positions multiplied by rope_freq_scale
    Dynamic, // NTK-aware base stretched once the context passes n_ctx_train
};

// User overrides for what a file does not store or stores wrongly; unset fields keep the inferred value.
struct ModelOverrides {
    std::optional<int64_t> n_head_kv;
    // llama.cpp's -gqa: n_head / n_head_kv, for ggjt files, which do not store n_head_kv.
    std::optional<int64_t> gqa;
    std::optional<int64_t> n_ff;
    std::optional<float> rms_eps;
    std::optional<float> rope_freq_base;
    std::optional<float> rope_freq_scale;
    std::optional<RopeScaling> rope_scaling;
    std::optional<int64_t> n_ctx_train;
};

// Everything the engine and the UI need to know about a model, from either container.
struct ModelDesc {
    Container container = Container::Ggjt;
    uint32_t version = 0;
    uint32_t ftype = 0;
    std::string ftype_name; // llama.cpp's name: "MOSTLY_Q4_K_M", "ALL_F32", ...

    int64_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0;
    int64_t head_dim = 0, n_rot = 0, n_ctx_train = 0;
    float rms_eps = 1e-5f;
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f;
    RopeScaling rope_scaling = RopeScaling::None;

    std::string size_class; // "7B", "13B", "30B", "65B", "70B", or "other"
    uint64_t n_params = 0;
    uint64_t file_bytes = 0;
    std::map<std::string, int> tensor_types; // type name -> tensor count

    // Bytes of the KV cache for a context of n_ctx tokens with the given element type.
    uint64_t kv_cache_bytes(int64_t n_ctx, BlockType kv_type = BlockType::F16) const;
};

// Infers the description (n_head_kv from attention.wk's shape, n_ff from feed_forward.w1's shape, eps
// 1e-5 for LLaMA-2-family files, ...), applies the overrides and checks that every shape agrees.
// Throws Error naming the file and the contradiction.
// ggjt files store neither eps nor the training context: eps is 1e-5 (the LLaMA-2-era value the reference
// outputs use) and n_ctx_train is 4096 for the LLaMA-2-only 70B shape, 2048 otherwise (a LLaMA-2 7B/13B
// ggjt file cannot be told from LLaMA-1; override it). GGUF values come from the llama.* metadata, and a
// stated head_count_kv / feed_forward_length must agree with the tensor shapes. size_class: 7B 32x4096,
// 13B 40x5120, 30B 60x6656, 65B 80x8192 with 64 KV heads, 70B 80x8192 with 8 KV heads, else "other".
ModelDesc describe_model(const ModelFile& file, const ModelOverrides& overrides = {});

} // namespace fireside
