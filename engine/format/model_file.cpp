#include "engine/format/model_file.h"

#include "engine/core/mapped_file.h"
#include "engine/format/tensor_checks.h"

#include <algorithm>

namespace fireside {

int64_t TensorInfo::n_elements() const {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;
    return ne.empty() ? 0 : n;
}

const TensorInfo* ModelFile::find(std::string_view name) const {
    auto it = std::ranges::find(tensors, name, &TensorInfo::name);
    return it == tensors.end() ? nullptr : &*it;
}

ModelFile parse_model_file(std::span<const std::byte> bytes, std::string_view name) {
    ByteCursor c(bytes, name);
    if (bytes.empty()) c.fail("file is empty");
    if (bytes.size() < 4) c.fail(fmt::format("truncated: only {} bytes, not a model file", bytes.size()));
    std::string_view magic = c.view(4, "the magic number");
    if (magic == "GGUF") return parse_gguf(bytes, name);
    // ggjt-family magics are u32 values written little endian, so "ggjt" appears as "tjgg".
    if (magic == "tjgg" || magic == "fmgg" || magic == "lmgg") return parse_ggjt(bytes, name);
    c.fail("not a model file: expected a GGML ggjt v3 (.bin) or GGUF (.gguf) file");
}

ModelFile open_model_file(const std::filesystem::path& path) {
    std::shared_ptr<const MappedFile> mapping = MappedFile::open(path);
    ModelFile file = parse_model_file(mapping->bytes(), path.string());
    file.path = path;
    file.mapping = std::move(mapping);
    return file;
}

} // namespace fireside
