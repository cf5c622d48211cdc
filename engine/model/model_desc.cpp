#include "engine/model/model_desc.h"

#include "engine/core/error.h"
#include "engine/format/file_type.h"
#include "engine/format/gguf_metadata.h"
#include "engine/model/llama_tensors.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace fireside {
namespace {

// Defaults for what ggjt files do not store.
// * rms eps 1e-5: the LLaMA-2-era value (llama.cpp's ggjt loader defaulted to 5e-6 and took -eps); it is
//   what the reference outputs use and what LLaMA-2 was trained with.
// * n_ctx_train: a ggjt file cannot say whether it is LLaMA-1 (2048) or LLaMA-2 (4096). Only the 70B shape
//   (grouped-query attention at 8192) is LLaMA-2-only, so it gets 4096 and everything else 2048, the
//   conservative choice; --ctx-train style overrides exist for LLaMA-2 7B/13B ggjt files.
constexpr float kGgjtRmsEps = 1e-5f;
constexpr int64_t kGgjtContextLlama1 = 2048;
constexpr int64_t kGgjtContextLlama2 = 4096;

class Describer {
public:
    explicit Describer(const ModelFile& file) : file_(file) {}

    [[noreturn]] void fail(const std::string& problem) const {
        throw Error(fmt::format("{}: {}", file_.path.string(), problem));
    }

    int64_t gguf_required(const char* key) const {
        auto v = gguf_int(file_, key);
        if (!v) fail(fmt::format("GGUF metadata has no {}", key));
        return *v;
    }

    void read_ggjt(ModelDesc& d) const {
        const GgjtHeader& h = file_.ggjt;
        d.ftype = h.ftype;
        d.n_vocab = h.n_vocab;
        d.n_embd = h.n_embd;
        d.n_head = h.n_head;
        d.n_layer = h.n_layer;
        d.n_rot = h.n_rot;
        d.rms_eps = kGgjtRmsEps;
    }

    void read_gguf(ModelDesc& d) const {
        d.n_vocab = static_cast<int64_t>(file_.vocab.size());
        if (auto n = gguf_int(file_, "llama.vocab_size"); n && *n != d.n_vocab)
            fail(fmt::format("llama.vocab_size is {} but the vocabulary has {} tokens", *n, d.n_vocab));
        d.n_embd = gguf_required("llama.embedding_length");
        d.n_layer = gguf_required("llama.block_count");
        d.n_head = gguf_required("llama.attention.head_count");
        d.n_head_kv = gguf_int(file_, "llama.attention.head_count_kv").value_or(0);
        d.n_ff = gguf_int(file_, "llama.feed_forward_length").value_or(0);
        d.n_rot = gguf_int(file_, "llama.rope.dimension_count").value_or(0);
        d.n_ctx_train = gguf_int(file_, "llama.context_length").value_or(0);
        if (auto eps = gguf_float(file_, "llama.attention.layer_norm_rms_epsilon")) d.rms_eps = float(*eps);
        if (auto base = gguf_float(file_, "llama.rope.freq_base")) d.rope_freq_base = float(*base);
        // GGUF stores the linear factor positions are divided by; the engine multiplies by its inverse.
        std::optional<double> factor = gguf_float(file_, "llama.rope.scale_linear");
        auto scaling = gguf_string(file_, "llama.rope.scaling.type");
        if (!factor && scaling && *scaling == "linear")
            factor = gguf_float(file_, "llama.rope.scaling.factor");
        if (factor && *factor != 0.0 && *factor != 1.0) {
            if (!(*factor > 0.0) || !std::isfinite(*factor))
                fail(fmt::format("RoPE scale factor {} is invalid", *factor));
            d.rope_freq_scale = float(1.0 / *factor);
            d.rope_scaling = RopeScaling::Linear;
        }
        if (auto ft = gguf_int(file_, "general.file_type")) {
            if (*ft < 0 || *ft > std::numeric_limits<uint32_t>::max())
                fail(fmt::format("general.file_type {} is out of range", *ft));
            d.ftype = static_cast<uint32_t>(*ft);
        } else {
            d.ftype = guessed_ftype();
        }
    }

    // GGUF files need not state their mix; name it after the most common matrix type.
    uint32_t guessed_ftype() const {
        std::map<BlockType, int> counts;
        for (const TensorInfo& t : file_.tensors)
            if (t.ne.size() == 2) ++counts[t.type];
        BlockType most = BlockType::F32;
        int best = 0;
        for (auto [type, n] : counts)
            if (n > best) most = type, best = n;
        switch (most) {
        case BlockType::F16:
            return 1;
        case BlockType::Q4_0:
            return 2;
        case BlockType::Q4_1:
            return 3;
        case BlockType::Q8_0:
            return 7;
        case BlockType::Q5_0:
            return 8;
        case BlockType::Q5_1:
            return 9;
        case BlockType::Q2_K:
            return 10;
        case BlockType::Q3_K:
            return 12;
        case BlockType::Q4_K:
            return 15;
        case BlockType::Q5_K:
            return 17;
        case BlockType::Q6_K:
            return 18;
        default:
            return 0;
        }
    }

    // n_head_kv and n_ff follow from the shapes of layer 0's wk and w1; a value the file states must agree.
    void infer_from_shapes(ModelDesc& d) const {
        const TensorInfo* wk = find_llama_tensor(file_, TensorRole::AttnK, 0);
        const TensorInfo* w1 = find_llama_tensor(file_, TensorRole::FfnGate, 0);
        if (!wk || wk->ne.size() != 2)
            fail("layer 0 has no 2-D attention key tensor (attention.wk / attn_k)");
        if (!w1 || w1->ne.size() != 2)
            fail("layer 0 has no 2-D feed-forward gate tensor (feed_forward.w1 / ffn_gate)");
        const int64_t n_embd_kv = wk->ne[1];
        if (n_embd_kv % d.head_dim != 0)
            fail(fmt::format("tensor '{}' has {} rows, not a multiple of the head size {}", wk->name,
                             n_embd_kv, d.head_dim));
        const int64_t from_shape = n_embd_kv / d.head_dim;
        if (d.n_head_kv != 0 && d.n_head_kv != from_shape)
            fail(fmt::format("llama.attention.head_count_kv is {} but tensor '{}' holds {} key heads",
                             d.n_head_kv, wk->name, from_shape));
        d.n_head_kv = from_shape;
        if (d.n_ff != 0 && d.n_ff != w1->ne[1])
            fail(fmt::format("llama.feed_forward_length is {} but tensor '{}' has {} rows", d.n_ff, w1->name,
                             w1->ne[1]));
        d.n_ff = w1->ne[1];
    }

    void summarize(ModelDesc& d) const {
        d.file_bytes = file_.file_bytes;
        for (const TensorInfo& t : file_.tensors) {
            d.n_params += static_cast<uint64_t>(t.n_elements());
            ++d.tensor_types[std::string(block_traits(t.type).name)];
        }
        d.ftype_name = file_type_display_name(d.ftype);
    }

private:
    const ModelFile& file_;
};

std::string size_class_of(const ModelDesc& d) {
    if (d.n_layer == 32 && d.n_embd == 4096) return "7B";
    if (d.n_layer == 40 && d.n_embd == 5120) return "13B";
    if (d.n_layer == 60 && d.n_embd == 6656) return "30B";
    if (d.n_layer == 80 && d.n_embd == 8192 && d.n_head_kv == 64) return "65B";
    if (d.n_layer == 80 && d.n_embd == 8192 && d.n_head_kv == 8) return "70B";
    return "other";
}

} // namespace

uint64_t ModelDesc::kv_cache_bytes(int64_t n_ctx, BlockType kv_type) const {
    const BlockTraits& traits = block_traits(kv_type);
    const int64_t n_embd_kv = n_head_kv * head_dim;
    const uint64_t blocks =
        static_cast<uint64_t>((n_embd_kv + traits.block_values - 1) / traits.block_values);
    const uint64_t row = blocks * traits.block_bytes; // one K or V vector of one position in one layer
    return 2 * static_cast<uint64_t>(n_layer) * static_cast<uint64_t>(std::max<int64_t>(n_ctx, 0)) * row;
}

ModelDesc describe_model(const ModelFile& file, const ModelOverrides& overrides) {
    Describer x(file);
    ModelDesc d;
    d.container = file.container;
    d.version = file.version;
    if (file.container == Container::Ggjt)
        x.read_ggjt(d);
    else
        x.read_gguf(d);

    if (d.n_vocab <= 0 || static_cast<size_t>(d.n_vocab) != file.vocab.size())
        x.fail(fmt::format("n_vocab {} does not match the vocabulary's {} tokens", d.n_vocab,
                           file.vocab.size()));
    if (d.n_embd <= 0 || d.n_head <= 0 || d.n_layer <= 0)
        x.fail(fmt::format("n_embd {}, n_head {} and n_layer {} must all be positive", d.n_embd, d.n_head,
                           d.n_layer));
    if (d.n_layer > static_cast<int64_t>(file.tensors.size()))
        x.fail(fmt::format("n_layer {} is more than the file's {} tensors can hold", d.n_layer,
                           file.tensors.size()));
    if (d.n_embd % d.n_head != 0)
        x.fail(fmt::format("n_head {} does not divide n_embd {}", d.n_head, d.n_embd));
    d.head_dim = d.n_embd / d.n_head;
    x.infer_from_shapes(d);
    if (d.n_rot == 0) d.n_rot = d.head_dim;
    if (file.container == Container::Ggjt)
        d.n_ctx_train = size_class_of(d) == "70B" ? kGgjtContextLlama2 : kGgjtContextLlama1;
    if (d.n_ctx_train <= 0) d.n_ctx_train = kGgjtContextLlama1;

    if (overrides.gqa) {
        if (*overrides.gqa <= 0 || d.n_head % *overrides.gqa != 0)
            x.fail(fmt::format("--gqa {} does not divide the {} attention heads", *overrides.gqa, d.n_head));
        const int64_t from_gqa = d.n_head / *overrides.gqa;
        if (overrides.n_head_kv && *overrides.n_head_kv != from_gqa)
            x.fail(fmt::format("--gqa {} and --n-head-kv {} disagree", *overrides.gqa, *overrides.n_head_kv));
        d.n_head_kv = from_gqa;
    }
    if (overrides.n_head_kv) d.n_head_kv = *overrides.n_head_kv;
    if (overrides.n_ff) d.n_ff = *overrides.n_ff;
    if (overrides.rms_eps) d.rms_eps = *overrides.rms_eps;
    if (overrides.rope_freq_base) d.rope_freq_base = *overrides.rope_freq_base;
    if (overrides.rope_freq_scale) {
        d.rope_freq_scale = *overrides.rope_freq_scale;
        if (d.rope_scaling == RopeScaling::None && d.rope_freq_scale != 1.0f)
            d.rope_scaling = RopeScaling::Linear;
    }
    if (overrides.rope_scaling) d.rope_scaling = *overrides.rope_scaling;
    if (overrides.n_ctx_train) d.n_ctx_train = *overrides.n_ctx_train;

    if (d.n_head_kv <= 0 || d.n_head % d.n_head_kv != 0)
        x.fail(fmt::format("n_head_kv {} does not divide n_head {}", d.n_head_kv, d.n_head));
    if (d.n_rot <= 0 || d.n_rot > d.head_dim || d.n_rot % 2 != 0)
        x.fail(fmt::format("n_rot {} must be even and at most the head size {}", d.n_rot, d.head_dim));
    if (!(d.rms_eps > 0.0f) || !std::isfinite(d.rms_eps))
        x.fail(fmt::format("rms eps {} must be a positive number", d.rms_eps));
    if (!(d.rope_freq_base > 0.0f) || !std::isfinite(d.rope_freq_base))
        x.fail(fmt::format("RoPE frequency base {} must be a positive number", d.rope_freq_base));
    if (!(d.rope_freq_scale > 0.0f) || !std::isfinite(d.rope_freq_scale))
        x.fail(fmt::format("RoPE frequency scale {} must be a positive number", d.rope_freq_scale));
    if (d.n_ctx_train <= 0) x.fail(fmt::format("training context {} must be positive", d.n_ctx_train));

    d.size_class = size_class_of(d);
    x.summarize(d);
    map_llama_tensors(file, d); // every tensor present with the shape the description implies
    return d;
}

} // namespace fireside
