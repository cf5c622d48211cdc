#pragma once

#include "engine/model/llama_model.h"
#include "engine/model/model_desc.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace fireside {

// Opens a model file, describes it with the overrides, and prepares it for evaluation. `gqa`, when
// given, is the same as overrides.gqa.
std::unique_ptr<LlamaModel> load_llama_model(const std::filesystem::path& path, ModelOverrides overrides,
                                             std::optional<int64_t> gqa, const LlamaModelOptions& options);

} // namespace fireside
