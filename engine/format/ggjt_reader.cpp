#include "engine/format/tensor_checks.h"
#include "engine/format/vocab_convention.h"

#include <array>

namespace fireside {
namespace {

constexpr uint32_t kMagicGgjt = 0x67676a74; // "ggjt"
constexpr uint32_t kMagicGgmf = 0x67676d66; // "ggmf"
constexpr uint32_t kMagicGgml = 0x67676d6c; // "ggml" (unversioned)
constexpr uint64_t kTensorAlignment = 32;   // ggjt pads every tensor's data to a 32-byte file offset

constexpr std::string_view kReconvert =
    "re-convert the original model with a current converter (e.g. to GGUF), or migrate it to ggjt v3 with "
    "llama.cpp's tools of mid-2023";

void read_header(ByteCursor& c, ModelFile& file) {
    uint32_t magic = c.u32("the magic number");
    if (magic == kMagicGgml)
        c.fail(fmt::format("old unversioned GGML ('ggml') file; only ggjt v3 and GGUF are read: {}",
                           kReconvert));
    if (magic == kMagicGgmf)
        c.fail(fmt::format("old GGML 'ggmf' v1 file; only ggjt v3 and GGUF are read: {}", kReconvert));
    if (magic != kMagicGgjt) c.fail("not a GGML ggjt file (bad magic)");
    file.version = c.u32("the version");
    if (file.version == 1 || file.version == 2)
        c.fail(fmt::format("ggjt v{} file: its Q4/Q5/Q8 block layouts differ from v3 and are not read; {}",
                           file.version, kReconvert));
    if (file.version != 3)
        c.fail(fmt::format("ggjt version {} is not known (only version 3 is read)", file.version));
    GgjtHeader& h = file.ggjt;
    h.n_vocab = c.u32("n_vocab");
    h.n_embd = c.u32("n_embd");
    h.n_mult = c.u32("n_mult");
    h.n_head = c.u32("n_head");
    h.n_layer = c.u32("n_layer");
    h.n_rot = c.u32("n_rot");
    h.ftype = c.u32("ftype");
    if (h.n_vocab == 0 || h.n_vocab > FormatLimits::max_vocab)
        c.fail(fmt::format("header n_vocab {} is out of range (1..{})", h.n_vocab, FormatLimits::max_vocab));
}

void read_vocab(ByteCursor& c, ModelFile& file) {
    const uint32_t n = file.ggjt.n_vocab;
    // Each token takes at least 8 bytes (length + score): refuse counts the file cannot hold before
    // reserving anything.
    if (uint64_t{n} * 8 > c.remaining())
        c.fail(fmt::format("truncated: header says {} tokens but only {} bytes follow", n, c.remaining()));
    Vocab& v = file.vocab;
    v.text.reserve(n);
    v.score.reserve(n);
    for (uint32_t id = 0; id < n; ++id) {
        uint32_t len = c.u32("a token length");
        if (len > FormatLimits::max_token_bytes)
            c.fail(fmt::format("token {} has length {} (limit {}): the vocabulary is corrupt", id, len,
                               FormatLimits::max_token_bytes));
        v.text.emplace_back(c.view(len, "a token's text"));
        v.score.push_back(c.read<float>("a token score"));
    }
    classify_ggjt_tokens(v);
}

void read_tensors(ByteCursor& c, ModelFile& file) {
    while (!c.at_end()) {
        const uint64_t start = c.offset();
        const size_t index = file.tensors.size();
        if (index >= FormatLimits::max_tensors)
            c.fail(fmt::format("more than {} tensors: the file is corrupt", FormatLimits::max_tensors));
        const std::string where = fmt::format("tensor #{} at offset {}", index, start);
        uint32_t n_dims = c.u32("a tensor's n_dims");
        uint32_t name_len = c.u32("a tensor's name length");
        uint32_t type_id = c.u32("a tensor's type");
        if (n_dims < 1 || n_dims > 4)
            c.fail(fmt::format("{} has n_dims {}; 1 to 4 are allowed", where, n_dims));
        if (name_len < 1 || name_len > FormatLimits::max_name_bytes)
            c.fail(fmt::format("{} has a name length of {} (1..{} allowed)", where, name_len,
                               FormatLimits::max_name_bytes));
        std::array<int64_t, 4> ne{};
        for (uint32_t i = 0; i < n_dims; ++i) ne[i] = c.u32("a tensor dimension");
        TensorInfo t;
        t.name = std::string(c.view(name_len, "a tensor name"));
        if (!ByteCursor::is_clean_name(t.name))
            c.fail(fmt::format("{} name '{}' holds control characters", where, t.name));
        t.ne.assign(ne.begin(), ne.begin() + n_dims);
        t.n_bytes = check_tensor_shape(c, t.name, type_id, t.ne, t.type);
        uint64_t data_offset = (c.offset() + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
        c.seek(data_offset, fmt::format("the data of tensor '{}'", t.name));
        c.skip(t.n_bytes, fmt::format("the data of tensor '{}'", t.name));
        t.offset = data_offset;
        t.data = c.bytes().data() + data_offset;
        file.tensors.push_back(std::move(t));
    }
    if (file.tensors.empty()) c.fail("the file holds a vocabulary but no tensors (truncated?)");
}

} // namespace

ModelFile parse_ggjt(std::span<const std::byte> bytes, std::string_view name) {
    ByteCursor c(bytes, name);
    ModelFile file;
    file.path = std::filesystem::path(name);
    file.container = Container::Ggjt;
    file.file_bytes = bytes.size();
    file.alignment = kTensorAlignment;
    read_header(c, file);
    read_vocab(c, file);
    read_tensors(c, file);
    check_tensor_layout(c, file.tensors);
    return file;
}

} // namespace fireside
