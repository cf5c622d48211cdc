#pragma once

#include <cstdint>
#include <string>

namespace fireside {

// The LLaMA hyperparameters a writer needs, whichever container it writes (ggjt stores only some of
// them; GGUF stores all).
struct LlamaHparams {
    std::string name;        // general.name
    std::string description; // general.description; empty = not written
    uint32_t ftype = 0;      // llama.cpp's LLAMA_FTYPE number of the file's mix
    int64_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_rot = 0;
    int64_t n_ctx = 2048; // training context length
    float rms_eps = 1e-5f;
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f; // positions are multiplied by this (linear scaling)
};

} // namespace fireside
