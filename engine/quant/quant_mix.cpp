#include "engine/quant/quant_mix.h"

#include "engine/core/error.h"
#include "engine/format/convert.h"
#include "engine/format/model_writer.h"
#include "engine/format/tensor_names.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>

namespace fireside {

namespace {

constexpr std::array<QuantMix, 16> kMixes{{
    {"f32", 0, "ALL_F32", BlockType::F32},
    {"f16", 1, "MOSTLY_F16", BlockType::F16},
    {"q4_0", 2, "MOSTLY_Q4_0", BlockType::Q4_0},
    {"q4_1", 3, "MOSTLY_Q4_1", BlockType::Q4_1},
    {"q8_0", 7, "MOSTLY_Q8_0", BlockType::Q8_0},
    {"q5_0", 8, "MOSTLY_Q5_0", BlockType::Q5_0},
    {"q5_1", 9, "MOSTLY_Q5_1", BlockType::Q5_1},
    {"q2_K", 10, "MOSTLY_Q2_K", BlockType::Q2_K},
    {"q3_K_S", 11, "MOSTLY_Q3_K_S", BlockType::Q3_K},
    {"q3_K_M", 12, "MOSTLY_Q3_K_M", BlockType::Q3_K},
    {"q3_K_L", 13, "MOSTLY_Q3_K_L", BlockType::Q3_K},
    {"q4_K_S", 14, "MOSTLY_Q4_K_S", BlockType::Q4_K},
    {"q4_K_M", 15, "MOSTLY_Q4_K_M", BlockType::Q4_K},
    {"q5_K_S", 16, "MOSTLY_Q5_K_S", BlockType::Q5_K},
    {"q5_K_M", 17, "MOSTLY_Q5_K_M", BlockType::Q5_K},
    {"q6_K", 18, "MOSTLY_Q6_K", BlockType::Q6_K},
}};

constexpr int64_t kSuperBlock = 256;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

bool is_k_quant(BlockType t) {
    return t == BlockType::Q2_K || t == BlockType::Q3_K || t == BlockType::Q4_K || t == BlockType::Q5_K ||
           t == BlockType::Q6_K;
}

// q4_K_M/q5_K_M give these layers more bits: the first and last eighth, and every third in between.
bool layer_gets_more_bits(int layer, int n_layers) {
    int eighth = n_layers / 8;
    return layer < eighth || layer >= 7 * n_layers / 8 || (layer - eighth) % 3 == 2;
}

BlockType legacy_fallback(BlockType t) {
    switch (t) {
    case BlockType::Q2_K:
    case BlockType::Q3_K:
        return BlockType::Q4_0;
    case BlockType::Q4_K:
        return BlockType::Q5_0;
    case BlockType::Q5_K:
        return BlockType::Q5_1;
    default:
        return BlockType::Q8_0;
    }
}

} // namespace

std::span<const QuantMix> all_quant_mixes() {
    return kMixes;
}

const QuantMix* find_quant_mix(std::string_view name) {
    for (const QuantMix& m : kMixes)
        if (equal_ignoring_case(m.name, name) || equal_ignoring_case(m.ftype_name, name)) return &m;
    return nullptr;
}

const QuantMix& require_quant_mix(std::string_view name) {
    if (const QuantMix* m = find_quant_mix(name)) return *m;
    std::string names;
    for (const QuantMix& m : kMixes) names += fmt::format("{}{}", names.empty() ? "" : ", ", m.name);
    throw Error(fmt::format("unknown file type '{}'; choose one of {}", name, names));
}

const QuantMix* quant_mix_for_ftype(uint32_t ftype) {
    for (const QuantMix& m : kMixes)
        if (m.ftype == ftype) return &m;
    return nullptr;
}

BlockType mix_tensor_type(const QuantMix& mix, std::string_view name, std::span<const int64_t> ne,
                          int n_layers) {
    if (ne.size() != 2 || !name.ends_with("weight")) return BlockType::F32;
    if (!block_traits(mix.base).quantized) return mix.base;

    const TensorId id = identify_tensor(name);
    const std::string_view m = mix.name;
    const bool both_dims_fit = ne[0] % kSuperBlock == 0 && ne[1] % kSuperBlock == 0;
    BlockType type = mix.base;
    switch (id.role) {
    case TensorRole::Output:
        if (both_dims_fit) type = BlockType::Q6_K;
        break;
    case TensorRole::AttnV:
    case TensorRole::FfnDown:
        if (m == "q2_K" || m == "q3_K_M")
            type = BlockType::Q4_K;
        else if (m == "q3_K_L")
            type = BlockType::Q5_K;
        else if ((m == "q4_K_M" || m == "q5_K_M") && layer_gets_more_bits(id.layer, n_layers))
            type = BlockType::Q6_K;
        break;
    case TensorRole::AttnOut:
        if (m == "q2_K" || m == "q3_K_M")
            type = BlockType::Q4_K;
        else if (m == "q3_K_L")
            type = BlockType::Q5_K;
        break;
    default:
        break;
    }
    if (is_k_quant(type) && !both_dims_fit) {
        if (id.role == TensorRole::Output)
            type = BlockType::F16;
        else if (id.role == TensorRole::TokenEmbedding)
            type = BlockType::Q4_0;
        else
            type = legacy_fallback(type);
    }
    if (ne[0] % block_traits(type).block_values != 0) type = BlockType::F16;
    return type;
}

void assign_mix_types(const QuantMix& mix, std::span<TensorToWrite> tensors) {
    int n_layers = 0;
    for (const TensorToWrite& t : tensors)
        if (identify_tensor(t.name).role == TensorRole::AttnV) ++n_layers;
    for (TensorToWrite& t : tensors) t.type = mix_tensor_type(mix, t.name, t.ne, n_layers);
}

std::string tensor_type_summary(std::span<const TensorToWrite> tensors) {
    std::map<uint32_t, int> counts;
    for (const TensorToWrite& t : tensors) ++counts[static_cast<uint32_t>(t.type)];
    std::string out;
    for (auto [type, count] : counts)
        out += fmt::format("{}{}:{}", out.empty() ? "" : ",", block_traits(static_cast<BlockType>(type)).name,
                           count);
    return out;
}

void quantize_model(const ModelFile& input, const std::filesystem::path& output, const QuantMix& mix,
                    const QuantizeOptions& options) {
    LlamaHparams hparams = llama_hparams_of(input, options.overrides);
    hparams.ftype = mix.ftype;
    std::vector<TensorToWrite> tensors;
    tensors.reserve(input.tensors.size());
    for (const TensorInfo& t : input.tensors) tensors.push_back({t.name, t.type, t.ne});
    assign_mix_types(mix, tensors);
    ModelFileRowSource source(input);
    write_llama_model(output, hparams, input.vocab, tensors, source,
                      {options.container, options.n_threads, options.progress});
}

} // namespace fireside
