#pragma once

#include "engine/format/model_file.h"
#include "engine/format/tensor_stream.h"
#include "engine/model/model_desc.h"
#include "engine/quant/block_type.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace fireside {

// A llama.cpp-style file type: a name for the CLI, the LLAMA_FTYPE number written to headers, and the
// type most 2-D tensors get.
struct QuantMix {
    std::string_view name;       // "q4_K_M"
    uint32_t ftype;              // LLAMA_FTYPE_MOSTLY_Q4_K_M = 15
    std::string_view ftype_name; // "MOSTLY_Q4_K_M"
    BlockType base;              // Q4_K
};

std::span<const QuantMix> all_quant_mixes();
// Case-insensitive ("Q4_K_M" and "q4_k_m" both work); nullptr when unknown.
const QuantMix* find_quant_mix(std::string_view name);
// As find_quant_mix, throwing Error that lists the valid names.
const QuantMix& require_quant_mix(std::string_view name);
const QuantMix* quant_mix_for_ftype(uint32_t ftype);

// The type `mix` gives one tensor (ggjt or GGUF name, shape). `n_layers` is the model's layer count, which
// decides the layers where q4_K_M/q5_K_M spend more bits. The rules, as llama.cpp's quantizer of the
// ggjt era applied them (reproducing the shared files' tensor types):
//   * 1-D tensors (norms) and anything not a 2-D ".weight" stay f32; f32/f16 mixes store all 2-D
//     tensors in f32/f16;
//   * output.weight is q6_K whenever both of its dimensions are multiples of 256, in every quantized mix;
//   * attention.wv and feed_forward.w2: q4_K for q2_K and q3_K_M, q5_K for q3_K_L, q6_K for q4_K_M and
//     q5_K_M on the first and last eighth of the layers and every third layer between;
//   * attention.wo: q4_K for q2_K and q3_K_M, q5_K for q3_K_L;
//   * a k-quant needs both dimensions to be multiples of 256, else: output.weight f16,
//     tok_embeddings q4_0, others the nearest legacy type (q2_K/q3_K -> q4_0, q4_K -> q5_0,
//     q5_K -> q5_1, q6_K -> q8_0); a legacy type needs rows of a multiple of 32, else f16.
BlockType mix_tensor_type(const QuantMix& mix, std::string_view name, std::span<const int64_t> ne,
                          int n_layers);
// Sets the type of every tensor by mix_tensor_type (n_layers counted from the attention.wv tensors).
void assign_mix_types(const QuantMix& mix, std::span<TensorToWrite> tensors);

// "f32:5,q4_K:13,q6_K:3": tensor count per type, types in GGML id order (as MANIFEST.tsv writes it).
std::string tensor_type_summary(std::span<const TensorToWrite> tensors);

struct QuantizeOptions {
    Container container = Container::Ggjt;
    int n_threads = 1;
    ProgressCallback progress;
    ModelOverrides overrides; // settings a GGUF output records (ggjt headers cannot hold them)
};

// Writes `input` with every tensor stored as `mix` says: f32/f16/quantized tensors are dequantized and
// quantized again (a tensor already in its target type is copied byte for byte). The vocabulary and
// hyperparameters are kept; a GGUF output carries the values describe_model infers.
void quantize_model(const ModelFile& input, const std::filesystem::path& output, const QuantMix& mix,
                    const QuantizeOptions& options);

} // namespace fireside
