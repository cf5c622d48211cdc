#pragma once

#include "engine/format/llama_hparams.h"
#include "engine/format/model_writer.h"
#include "engine/quant/quant_mix.h"
#include "engine/tokenizer/vocab.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fireside {

struct SynthShape {
    int64_t n_vocab = 512, n_embd = 512, n_head = 8, n_head_kv = 8, n_layer = 2, n_ff = 1536;
    int64_t n_ctx = 2048;
};

// Named shapes: "7b", "13b", "30b", "65b", "70b", "tinyllama", "stories260k", "synth-e512",
// "llama2vocab-e256" (case-insensitive); nothing for an unknown name.
std::optional<SynthShape> synth_shape_preset(std::string_view name);
std::span<const std::string_view> synth_shape_names();

struct SynthSpec {
    SynthShape shape;
    uint64_t seed = 1;
    // Standard deviations of the N(0, std^2) weights. Zero picks the shared synthetic files' settings
    // scaled to n_embd (attention/FFN 0.05 and output 0.2 at n_embd 512, times sqrt(512 / n_embd), so
    // the logits keep a std of ~4.5 at any width).
    float std = 0, out_std = 0;
    float emb_std = 0.02f;
    float norm_std = 0.1f; // norm weights are 1 + N(0, norm_std^2)
    std::string name;      // general.name; empty = "synth"
};

// A vocabulary that tokenizes any text: <unk>, <s>, </s>, the 256 byte tokens, the printable ASCII
// characters, then pieces made by joining earlier pieces, with falling scores.
Vocab synth_vocab(int64_t n_vocab, uint64_t seed);

// A random-weight LLaMA model. Every value is a function of (seed, tensor, row) only, through a
// splitmix64 stream per row and Box-Muller, so rows can be produced in any order and on any thread
// and a test can recompute exactly what was written.
class SynthModel : public TensorRowSource {
public:
    // Throws Error for an impossible shape or a vocabulary whose size is not n_vocab.
    explicit SynthModel(const SynthSpec& spec, std::optional<Vocab> vocab = std::nullopt);

    const SynthSpec& spec() const { return spec_; }
    const Vocab& vocab() const { return vocab_; }
    // ggjt names in the shared synthetic files' order, f32 types (a mix assigns the stored types).
    const std::vector<TensorToWrite>& tensors() const { return tensors_; }
    LlamaHparams hparams(const QuantMix& mix) const;

    void float_rows(size_t index, int64_t first, int64_t n, float* out) const override;

private:
    SynthSpec spec_;
    Vocab vocab_;
    std::vector<TensorToWrite> tensors_;
    std::vector<float> mean_, std_; // per tensor
};

// Writes the model with the types `mix` gives each tensor.
void write_synth_model(const std::filesystem::path& path, const SynthModel& model, const QuantMix& mix,
                       const ModelWriteOptions& options);

} // namespace fireside
