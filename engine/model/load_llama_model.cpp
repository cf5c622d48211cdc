#include "engine/model/load_llama_model.h"

#include "engine/core/error.h"

#include <fmt/format.h>

namespace fireside {

std::unique_ptr<LlamaModel> load_llama_model(const std::filesystem::path& path, ModelOverrides overrides,
                                             std::optional<int64_t> gqa, const LlamaModelOptions& options) {
    ModelFile file = open_model_file(path);
    if (gqa && !overrides.n_head_kv) {
        ModelOverrides plain = overrides;
        const ModelDesc guess = describe_model(file, plain);
        if (*gqa <= 0 || guess.n_head % *gqa != 0)
            throw Error(fmt::format("{}: --gqa {} does not divide the {} attention heads", path.string(),
                                    *gqa, guess.n_head));
        overrides.n_head_kv = guess.n_head / *gqa;
    }
    ModelDesc desc = describe_model(file, overrides);
    return std::make_unique<LlamaModel>(std::move(file), std::move(desc), options);
}

} // namespace fireside
