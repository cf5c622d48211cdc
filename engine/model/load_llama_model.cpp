#include "engine/model/load_llama_model.h"

namespace fireside {

std::unique_ptr<LlamaModel> load_llama_model(const std::filesystem::path& path, ModelOverrides overrides,
                                             std::optional<int64_t> gqa, const LlamaModelOptions& options) {
    ModelFile file = open_model_file(path);
    if (gqa) overrides.gqa = gqa;
    ModelDesc desc = describe_model(file, overrides);
    return std::make_unique<LlamaModel>(std::move(file), std::move(desc), options);
}

} // namespace fireside
