#pragma once

#include "engine/format/model_file.h"
#include "engine/format/tensor_names.h"
#include "engine/model/model_desc.h"

#include <vector>

namespace fireside {

// The tensors of one transformer layer, by role.
struct LlamaLayerTensors {
    const TensorInfo* attn_norm = nullptr;
    const TensorInfo* wq = nullptr;
    const TensorInfo* wk = nullptr;
    const TensorInfo* wv = nullptr;
    const TensorInfo* wo = nullptr;
    const TensorInfo* ffn_norm = nullptr;
    const TensorInfo* w1 = nullptr; // gate
    const TensorInfo* w2 = nullptr; // down
    const TensorInfo* w3 = nullptr; // up
};

// Every tensor of the LLaMA graph, found by role in either naming (ggjt "layers.N.attention.wq.weight" or
// GGUF "blk.N.attn_q.weight"). Pointers refer into the ModelFile, which must outlive this.
struct LlamaTensors {
    const TensorInfo* tok_embeddings = nullptr;
    const TensorInfo* output_norm = nullptr;
    const TensorInfo* output = nullptr; // == tok_embeddings when the file has no output.weight
    bool output_tied = false;           // the classifier shares the embedding matrix
    std::vector<LlamaLayerTensors> layers;
};

// The tensor of a role (layer -1 for the ones outside the layers) in either naming, or nullptr.
const TensorInfo* find_llama_tensor(const ModelFile& file, TensorRole role, int layer = -1);

// Finds every tensor and checks each one's shape against the description:
//   tok_embeddings, output  [n_embd, n_vocab]      wq, wo      [n_embd, n_embd]
//   norms                   [n_embd]               wk, wv      [n_embd, n_head_kv * head_dim]
//   w1, w3                  [n_embd, n_ff]         w2          [n_ff, n_embd]
// Throws Error("<file>: ...") naming the tensor that is missing or has the wrong shape.
LlamaTensors map_llama_tensors(const ModelFile& file, const ModelDesc& desc);

} // namespace fireside
