#include "engine/format/synth_model.h"

#include "engine/core/error.h"
#include "engine/format/tensor_names.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <numbers>
#include <unordered_set>

namespace fireside {

namespace {

struct NamedShape {
    std::string_view name;
    SynthShape shape;
};

constexpr std::array<NamedShape, 9> kShapes{{
    {"7b", {32000, 4096, 32, 32, 32, 11008, 2048}},
    {"13b", {32000, 5120, 40, 40, 40, 13824, 2048}},
    {"30b", {32000, 6656, 52, 52, 60, 17920, 2048}},
    {"65b", {32000, 8192, 64, 64, 80, 22016, 2048}},
    {"70b", {32000, 8192, 64, 8, 80, 28672, 4096}},
    {"tinyllama", {32000, 2048, 32, 4, 22, 5632, 2048}},
    {"stories260k", {512, 64, 8, 4, 5, 172, 512}},
    {"synth-e512", {512, 512, 8, 4, 2, 1536, 2048}},
    {"llama2vocab-e256", {32000, 256, 2, 2, 1, 768, 2048}},
}};

constexpr std::array<std::string_view, 9> kShapeNames{
    "7b", "13b", "30b", "65b", "70b", "tinyllama", "stories260k", "synth-e512", "llama2vocab-e256"};

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Uniform in (0, 1]: never 0, so the logarithm below is finite.
double unit_open(uint64_t& state) {
    return (static_cast<double>(splitmix64(state) >> 11) + 1.0) * 0x1.0p-53;
}

// Standard normal values by Box-Muller, two per pair of uniforms.
void fill_normal(uint64_t state, float* out, int64_t n, float mean, float std) {
    for (int64_t i = 0; i < n; i += 2) {
        double radius = std::sqrt(-2.0 * std::log(unit_open(state)));
        double angle = 2.0 * std::numbers::pi * unit_open(state);
        out[i] = static_cast<float>(mean + std * radius * std::cos(angle));
        if (i + 1 < n) out[i + 1] = static_cast<float>(mean + std * radius * std::sin(angle));
    }
}

uint64_t row_seed(uint64_t seed, size_t tensor, int64_t row) {
    uint64_t s = seed;
    uint64_t a = splitmix64(s) ^ (static_cast<uint64_t>(tensor) * 0xd1b54a32d192ed03ULL);
    uint64_t b = splitmix64(a) ^ static_cast<uint64_t>(row);
    return splitmix64(b);
}

bool lower_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) ==
                      (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           });
}

} // namespace

std::optional<SynthShape> synth_shape_preset(std::string_view name) {
    for (const NamedShape& s : kShapes)
        if (lower_equal(s.name, name)) return s.shape;
    return std::nullopt;
}

std::span<const std::string_view> synth_shape_names() {
    return kShapeNames;
}

Vocab synth_vocab(int64_t n_vocab, uint64_t seed) {
    constexpr int64_t kFixed = 3 + 256;
    if (n_vocab < kFixed || n_vocab > (int64_t{1} << 24))
        throw Error(fmt::format("a synthetic vocabulary needs {} to {} tokens (3 special + 256 bytes first); "
                                "{} was asked for",
                                kFixed, int64_t{1} << 24, n_vocab));
    Vocab v;
    v.text.reserve(static_cast<size_t>(n_vocab));
    auto add = [&](std::string text, float score, TokenKind kind) {
        v.text.push_back(std::move(text));
        v.score.push_back(score);
        v.kind.push_back(kind);
    };
    add(" \xE2\x81\x87 ", 0.0f, TokenKind::Unknown);
    add("", 0.0f, TokenKind::Control);
    add("", 0.0f, TokenKind::Control);
    for (int b = 0; b < 256; ++b) add(std::string(1, static_cast<char>(b)), 0.0f, TokenKind::Byte);

    std::unordered_set<std::string> seen;
    std::vector<std::string> pieces;
    float score = 0.0f;
    auto add_piece = [&](std::string piece) {
        if (static_cast<int64_t>(v.size()) >= n_vocab || !seen.insert(piece).second) return;
        pieces.push_back(piece);
        add(std::move(piece), score, TokenKind::Normal);
        score -= 1.0f;
    };
    // Words start with a space, as SentencePiece pieces do; single characters make every text reachable.
    for (char c = 'a'; c <= 'z'; ++c) add_piece(std::string(" ") + c);
    for (char c = ' '; c <= '~'; ++c) add_piece(std::string(1, c));
    uint64_t state = seed ^ 0x5eed0fb0cab1e5ULL;
    int64_t attempts = 0;
    while (static_cast<int64_t>(v.size()) < n_vocab) {
        const std::string& a = pieces[splitmix64(state) % pieces.size()];
        const std::string& b = pieces[splitmix64(state) % pieces.size()];
        // Pieces joined to a leading-space piece would put a space inside a word; keep those rare.
        std::string joined = a + (b.starts_with(' ') && ++attempts % 4 != 0 ? b.substr(1) : b);
        if (joined.size() <= 16) add_piece(std::move(joined));
    }
    return v;
}

SynthModel::SynthModel(const SynthSpec& spec, std::optional<Vocab> vocab) : spec_(spec) {
    const SynthShape& s = spec.shape;
    auto positive = [](int64_t v, std::string_view what, int64_t max) {
        if (v <= 0 || v > max)
            throw Error(fmt::format("synthetic model: {} must be 1..{}, not {}", what, max, v));
    };
    positive(s.n_embd, "n_embd", 1 << 16);
    positive(s.n_head, "n_head", 1 << 12);
    positive(s.n_head_kv, "n_head_kv", 1 << 12);
    positive(s.n_layer, "n_layer", 1 << 12);
    positive(s.n_ff, "n_ff", 1 << 18);
    positive(s.n_ctx, "n_ctx", 1 << 24);
    if (s.n_embd % s.n_head != 0)
        throw Error(
            fmt::format("synthetic model: n_embd {} is not a multiple of n_head {}", s.n_embd, s.n_head));
    if ((s.n_embd / s.n_head) % 2 != 0)
        throw Error(
            fmt::format("synthetic model: the head size {} must be even for RoPE", s.n_embd / s.n_head));
    if (s.n_head % s.n_head_kv != 0)
        throw Error(fmt::format("synthetic model: n_head {} is not a multiple of n_head_kv {}", s.n_head,
                                s.n_head_kv));
    if (vocab) {
        vocab_ = std::move(*vocab); // a given vocabulary decides n_vocab
    } else {
        vocab_ = synth_vocab(s.n_vocab, spec.seed);
    }
    const int64_t n_vocab = static_cast<int64_t>(vocab_.size());
    if (n_vocab <= 0) throw Error("synthetic model: the vocabulary is empty");
    spec_.shape.n_vocab = n_vocab;

    const float width = std::sqrt(512.0f / static_cast<float>(s.n_embd));
    const float std = spec.std > 0 ? spec.std : 0.05f * width;
    const float out_std = spec.out_std > 0 ? spec.out_std : 0.2f * width;
    const int64_t n_embd_kv = s.n_embd / s.n_head * s.n_head_kv;

    auto add = [&](TensorId id, std::vector<int64_t> ne, float mean, float sd) {
        tensors_.push_back({ggjt_tensor_name(id), BlockType::F32, std::move(ne)});
        mean_.push_back(mean);
        std_.push_back(sd);
    };
    add({TensorRole::TokenEmbedding, -1}, {s.n_embd, n_vocab}, 0.0f, spec.emb_std);
    add({TensorRole::OutputNorm, -1}, {s.n_embd}, 1.0f, spec.norm_std);
    add({TensorRole::Output, -1}, {s.n_embd, n_vocab}, 0.0f, out_std);
    for (int l = 0; l < s.n_layer; ++l) {
        add({TensorRole::AttnQ, l}, {s.n_embd, s.n_embd}, 0.0f, std);
        add({TensorRole::AttnK, l}, {s.n_embd, n_embd_kv}, 0.0f, std);
        add({TensorRole::AttnV, l}, {s.n_embd, n_embd_kv}, 0.0f, std);
        add({TensorRole::AttnOut, l}, {s.n_embd, s.n_embd}, 0.0f, std);
        add({TensorRole::AttnNorm, l}, {s.n_embd}, 1.0f, spec.norm_std);
        add({TensorRole::FfnGate, l}, {s.n_embd, s.n_ff}, 0.0f, std);
        add({TensorRole::FfnDown, l}, {s.n_ff, s.n_embd}, 0.0f, std);
        add({TensorRole::FfnUp, l}, {s.n_embd, s.n_ff}, 0.0f, std);
        add({TensorRole::FfnNorm, l}, {s.n_embd}, 1.0f, spec.norm_std);
    }
}

LlamaHparams SynthModel::hparams(const QuantMix& mix) const {
    const SynthShape& s = spec_.shape;
    LlamaHparams h;
    h.name = spec_.name.empty() ? "synth" : spec_.name;
    h.ftype = mix.ftype;
    h.n_vocab = s.n_vocab;
    h.n_embd = s.n_embd;
    h.n_layer = s.n_layer;
    h.n_head = s.n_head;
    h.n_head_kv = s.n_head_kv;
    h.n_ff = s.n_ff;
    h.n_rot = s.n_embd / s.n_head;
    h.n_ctx = s.n_ctx;
    return h;
}

void SynthModel::float_rows(size_t index, int64_t first, int64_t n, float* out) const {
    const int64_t row_length = tensors_[index].ne[0];
    for (int64_t r = 0; r < n; ++r)
        fill_normal(row_seed(spec_.seed, index, first + r), out + r * row_length, row_length, mean_[index],
                    std_[index]);
}

void write_synth_model(const std::filesystem::path& path, const SynthModel& model, const QuantMix& mix,
                       const ModelWriteOptions& options) {
    std::vector<TensorToWrite> tensors = model.tensors();
    assign_mix_types(mix, tensors);
    write_llama_model(path, model.hparams(mix), model.vocab(), tensors, model, options);
}

} // namespace fireside
