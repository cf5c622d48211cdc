#pragma once

#include "engine/cpu/matmul.h"
#include "engine/format/model_file.h"
#include "engine/model/model_desc.h"

#include <cstdint>
#include <vector>

namespace fireside {

// The tensors of one transformer layer, pointing into the model file's mapping (norm weights are
// small and are kept as floats whatever their stored type).
struct LayerWeights {
    std::vector<float> attn_norm, ffn_norm;
    WeightMatrix wq, wk, wv, wo;
    WeightMatrix w1, w2, w3; // gate, down, up
};

struct LlamaWeights {
    const TensorInfo* tok_embeddings = nullptr;
    std::vector<float> output_norm;
    WeightMatrix output; // tok_embeddings itself when the file has no output.weight
    std::vector<LayerWeights> layers;
};

// Finds every tensor of a LLaMA model in either naming and checks its type and shape against the
// description. Throws Error naming the file and the tensor that is missing or wrong.
LlamaWeights bind_llama_weights(const ModelFile& file, const ModelDesc& desc);

} // namespace fireside
