#include "engine/format/gguf_metadata.h"
#include "engine/format/gguf_types.h"
#include "engine/format/tensor_checks.h"
#include "engine/format/vocab_convention.h"

#include <array>
#include <bit>

namespace fireside {
namespace {

class GgufParser {
public:
    GgufParser(std::span<const std::byte> bytes, std::string_view name) : c_(bytes, name) {}

    ModelFile parse() {
        file_.path = std::filesystem::path(c_.file_name());
        file_.container = Container::Gguf;
        file_.file_bytes = c_.size();
        read_header();
        read_metadata();
        read_alignment();
        read_tensor_infos();
        check_tensor_layout(c_, file_.tensors);
        check_architecture();
        read_vocab();
        return std::move(file_);
    }

private:
    void read_header() {
        c_.u32("the magic number");
        uint32_t version = c_.u32("the version");
        if (version == 1)
            c_.fail(
                "GGUF v1 (an early 2023 draft) is not read; re-convert the model with a current converter "
                "to GGUF v3");
        if (version == 0x02000000 || version == 0x03000000)
            c_.fail("big-endian GGUF file; only little-endian files are read");
        if (version != 2 && version != 3)
            c_.fail(fmt::format("GGUF version {} is not known (versions 2 and 3 are read)", version));
        file_.version = version;
        n_tensors_ = c_.u64("the tensor count");
        n_kv_ = c_.u64("the metadata count");
        if (n_tensors_ > FormatLimits::max_tensors)
            c_.fail(fmt::format("header claims {} tensors (limit {}): the file is corrupt", n_tensors_,
                                FormatLimits::max_tensors));
        if (n_kv_ > FormatLimits::max_metadata_kv)
            c_.fail(fmt::format("header claims {} metadata entries (limit {}): the file is corrupt", n_kv_,
                                FormatLimits::max_metadata_kv));
    }

    std::string read_string(std::string_view what, uint64_t limit) {
        uint64_t len = c_.u64(what);
        if (len > limit)
            c_.fail(fmt::format("{} has length {} (limit {}): the file is corrupt", what, len, limit));
        return std::string(c_.view(len, what));
    }

    // Checks an array of `count` items of `min_item_bytes` each can fit before anything is reserved.
    void check_count(uint64_t count, uint64_t min_item_bytes, const std::string& key) {
        if (count > FormatLimits::max_array_items || count * min_item_bytes > c_.remaining())
            c_.fail(fmt::format("metadata '{}' claims {} items, more than the file can hold", key, count));
    }

    template <typename T, typename Out>
    std::vector<Out> read_numbers(uint64_t count, const std::string& key) {
        check_count(count, sizeof(T), key);
        std::vector<Out> values;
        values.reserve(count);
        for (uint64_t i = 0; i < count; ++i) values.push_back(static_cast<Out>(c_.read<T>("an array item")));
        return values;
    }

    MetaValue read_scalar(uint32_t type, const std::string& key) {
        switch (static_cast<GgufType>(type)) {
        case GgufType::U8:
            return uint64_t{c_.read<uint8_t>(key)};
        case GgufType::I8:
            return int64_t{c_.read<int8_t>(key)};
        case GgufType::U16:
            return uint64_t{c_.read<uint16_t>(key)};
        case GgufType::I16:
            return int64_t{c_.read<int16_t>(key)};
        case GgufType::U32:
            return uint64_t{c_.read<uint32_t>(key)};
        case GgufType::I32:
            return int64_t{c_.read<int32_t>(key)};
        case GgufType::U64:
            return c_.read<uint64_t>(key);
        case GgufType::I64:
            return c_.read<int64_t>(key);
        case GgufType::F32:
            return double{c_.read<float>(key)};
        case GgufType::F64:
            return c_.read<double>(key);
        case GgufType::Bool:
            return read_bool(key);
        case GgufType::String:
            return read_string(fmt::format("metadata '{}'", key), FormatLimits::max_string_bytes);
        case GgufType::Array:
            return read_array(key);
        }
        c_.fail(fmt::format("metadata '{}' has unknown value type {}", key, type));
    }

    bool read_bool(const std::string& key) {
        uint8_t b = c_.read<uint8_t>(key);
        if (b > 1) c_.fail(fmt::format("metadata '{}' holds {} where a boolean (0 or 1) belongs", key, b));
        return b != 0;
    }

    MetaArray read_array(const std::string& key) {
        uint32_t type = c_.u32(fmt::format("the item type of metadata '{}'", key));
        uint64_t count = c_.u64(fmt::format("the item count of metadata '{}'", key));
        switch (static_cast<GgufType>(type)) {
        case GgufType::U8:
            return read_numbers<uint8_t, uint64_t>(count, key);
        case GgufType::I8:
            return read_numbers<int8_t, int64_t>(count, key);
        case GgufType::U16:
            return read_numbers<uint16_t, uint64_t>(count, key);
        case GgufType::I16:
            return read_numbers<int16_t, int64_t>(count, key);
        case GgufType::U32:
            return read_numbers<uint32_t, uint64_t>(count, key);
        case GgufType::I32:
            return read_numbers<int32_t, int64_t>(count, key);
        case GgufType::U64:
            return read_numbers<uint64_t, uint64_t>(count, key);
        case GgufType::I64:
            return read_numbers<int64_t, int64_t>(count, key);
        case GgufType::F32:
            return read_numbers<float, double>(count, key);
        case GgufType::F64:
            return read_numbers<double, double>(count, key);
        case GgufType::Bool: {
            check_count(count, 1, key);
            std::vector<bool> values;
            values.reserve(count);
            for (uint64_t i = 0; i < count; ++i) values.push_back(read_bool(key));
            return values;
        }
        case GgufType::String: {
            check_count(count, 8, key);
            std::vector<std::string> values;
            values.reserve(count);
            for (uint64_t i = 0; i < count; ++i)
                values.push_back(read_string(fmt::format("item {} of metadata '{}'", i, key),
                                             FormatLimits::max_string_bytes));
            return values;
        }
        case GgufType::Array:
            c_.fail(fmt::format("metadata '{}' is an array of arrays, which is not supported", key));
        }
        c_.fail(fmt::format("metadata '{}' is an array of unknown item type {}", key, type));
    }

    void read_metadata() {
        for (uint64_t i = 0; i < n_kv_; ++i) {
            std::string key = read_string(fmt::format("metadata key #{}", i), FormatLimits::max_key_bytes);
            if (!ByteCursor::is_clean_name(key))
                c_.fail(fmt::format("metadata key #{} '{}' holds control characters", i, key));
            uint32_t type = c_.u32(fmt::format("the value type of metadata '{}'", key));
            if (type > static_cast<uint32_t>(GgufType::F64))
                c_.fail(fmt::format("metadata '{}' has unknown value type {}", key, type));
            MetaValue value = read_scalar(type, key);
            if (!file_.metadata.emplace(key, std::move(value)).second)
                c_.fail(fmt::format("metadata key '{}' appears twice", key));
        }
    }

    void read_alignment() {
        if (!file_.metadata.contains("general.alignment")) return;
        auto align = gguf_uint(file_, "general.alignment");
        if (!align || *align == 0 || !std::has_single_bit(*align) || *align > FormatLimits::max_alignment)
            c_.fail(fmt::format("general.alignment must be a power of two up to {}",
                                FormatLimits::max_alignment));
        file_.alignment = *align;
    }

    void read_tensor_infos() {
        // A tensor info takes at least 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 + 8 bytes.
        if (n_tensors_ * 32 > c_.remaining())
            c_.fail(fmt::format("truncated: header claims {} tensors but only {} bytes follow", n_tensors_,
                                c_.remaining()));
        std::vector<uint64_t> relative(n_tensors_);
        file_.tensors.reserve(n_tensors_);
        for (uint64_t i = 0; i < n_tensors_; ++i) {
            TensorInfo t;
            t.name = read_string(fmt::format("the name of tensor #{}", i), FormatLimits::max_name_bytes);
            if (t.name.empty()) c_.fail(fmt::format("tensor #{} has an empty name", i));
            if (!ByteCursor::is_clean_name(t.name))
                c_.fail(fmt::format("tensor #{} name '{}' holds control characters", i, t.name));
            uint32_t n_dims = c_.u32(fmt::format("the n_dims of tensor '{}'", t.name));
            if (n_dims < 1 || n_dims > 4)
                c_.fail(fmt::format("tensor '{}' has n_dims {}; 1 to 4 are allowed", t.name, n_dims));
            for (uint32_t d = 0; d < n_dims; ++d) {
                uint64_t v = c_.u64(fmt::format("a dimension of tensor '{}'", t.name));
                t.ne.push_back(v > static_cast<uint64_t>(FormatLimits::max_dim) ? -1
                                                                                : static_cast<int64_t>(v));
            }
            uint32_t type_id = c_.u32(fmt::format("the type of tensor '{}'", t.name));
            relative[i] = c_.u64(fmt::format("the data offset of tensor '{}'", t.name));
            t.n_bytes = check_tensor_shape(c_, t.name, type_id, t.ne, t.type);
            file_.tensors.push_back(std::move(t));
        }
        uint64_t align = file_.alignment;
        uint64_t data_start = (c_.offset() + align - 1) / align * align;
        if (data_start > c_.size() && n_tensors_ > 0)
            c_.fail(fmt::format("truncated: the tensor data would begin at offset {} but the file ends at {}",
                                data_start, c_.size()));
        for (uint64_t i = 0; i < n_tensors_; ++i) {
            TensorInfo& t = file_.tensors[i];
            if (relative[i] % align != 0)
                c_.fail(fmt::format("tensor '{}' data offset {} is not a multiple of the alignment {}",
                                    t.name, relative[i], align));
            if (relative[i] > c_.size() ||
                t.n_bytes > c_.size() - std::min(c_.size(), data_start + relative[i]))
                c_.fail(
                    fmt::format("truncated: tensor '{}' needs {} bytes at offset {} but the file ends at {}",
                                t.name, t.n_bytes, data_start + relative[i], c_.size()));
            t.offset = data_start + relative[i];
            t.data = c_.bytes().data() + t.offset;
        }
    }

    void check_architecture() {
        auto arch = gguf_string(file_, "general.architecture");
        if (!arch) c_.fail("GGUF metadata has no general.architecture");
        if (*arch != "llama")
            c_.fail(fmt::format("architecture '{}' is not supported (only 'llama')", *arch));
    }

    void read_vocab() {
        if (auto model = gguf_string(file_, "tokenizer.ggml.model"); model && *model != "llama")
            c_.fail(fmt::format("tokenizer '{}' is not supported (only SentencePiece 'llama' vocabularies)",
                                *model));
        const auto* tokens = gguf_array<std::string>(file_, "tokenizer.ggml.tokens");
        if (!tokens) c_.fail("GGUF metadata has no tokenizer.ggml.tokens: the vocabulary is missing");
        const size_t n = tokens->size();
        if (n == 0 || n > FormatLimits::max_vocab)
            c_.fail(fmt::format("tokenizer.ggml.tokens has {} tokens (1..{} allowed)", n,
                                FormatLimits::max_vocab));
        const auto* scores = gguf_array<double>(file_, "tokenizer.ggml.scores");
        const auto* types = gguf_array<int64_t>(file_, "tokenizer.ggml.token_type");
        if (scores && scores->size() != n)
            c_.fail(fmt::format("tokenizer.ggml.scores has {} entries for {} tokens", scores->size(), n));
        if (types && types->size() != n)
            c_.fail(fmt::format("tokenizer.ggml.token_type has {} entries for {} tokens", types->size(), n));
        Vocab& v = file_.vocab;
        v.text.assign(tokens->begin(), tokens->end());
        v.score = scores ? std::vector<float>(scores->begin(), scores->end()) : std::vector<float>(n, 0.0f);
        if (types) {
            v.kind.resize(n);
            for (size_t id = 0; id < n; ++id) {
                int64_t k = (*types)[id];
                if (k < static_cast<int64_t>(TokenKind::Normal) || k > static_cast<int64_t>(TokenKind::Byte))
                    c_.fail(fmt::format("token {} has unknown token type {}", id, k));
                v.kind[id] = static_cast<TokenKind>(k);
            }
        } else {
            classify_ggjt_tokens(v);
        }
        std::string converted;
        for (size_t id = 0; id < n; ++id) {
            if (!convert_gguf_piece(v.text[id], v.kind[id], converted))
                c_.fail(fmt::format("byte token {} is '{}', not of the form <0xNN>", id, v.text[id]));
            v.text[id] = converted;
        }
        v.unk = vocab_id("tokenizer.ggml.unknown_token_id", 0);
        v.bos = vocab_id("tokenizer.ggml.bos_token_id", 1);
        v.eos = vocab_id("tokenizer.ggml.eos_token_id", 2);
    }

    int32_t vocab_id(const char* key, int32_t fallback) {
        auto id = gguf_int(file_, key);
        if (!id) return fallback;
        if (*id < 0 || *id >= static_cast<int64_t>(file_.vocab.size()))
            c_.fail(
                fmt::format("{} is {}, outside the vocabulary of {} tokens", key, *id, file_.vocab.size()));
        return static_cast<int32_t>(*id);
    }

    ByteCursor c_;
    ModelFile file_;
    uint64_t n_tensors_ = 0;
    uint64_t n_kv_ = 0;
};

} // namespace

ModelFile parse_gguf(std::span<const std::byte> bytes, std::string_view name) {
    return GgufParser(bytes, name).parse();
}

} // namespace fireside
