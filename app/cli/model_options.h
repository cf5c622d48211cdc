#pragma once

#include "app/cli/args.h"
#include "engine/model/llama_model.h"
#include "engine/sampling/sampler_settings.h"
#include "engine/session/model_loader.h"
#include "engine/session/prompt_template.h"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace fireside::cli {

// The llama.cpp-style model flags shared by run, chat, logits and bench, so every command reads them
// the same way:
//   -m/--model FILE, -c/--ctx-size N, -t/--threads N, --ngl/-ngl/--n-gpu-layers N, --gqa N, --eps E,
//   --rope-freq-base B, --rope-freq-scale S, --no-repack
// Values are checked here and Error names the flag. The model path is required.
LoadOptions parse_model_options(Args& args);
extern const std::string_view kModelOptionsUsage;

// --ngl N|-1|all|auto (and --n-gpu-layers) and --device ID (default: $FIRESIDE_DEVICE).
struct GpuChoice {
    int64_t layers = 0; // N, kAllGpuLayers or kAutoGpuLayers
    std::optional<std::string> device;
};
GpuChoice parse_gpu_choice(Args& args);

// One line on stderr saying where the model runs ("GPU: NAME, 23 of 81 layers ..."), when a GPU is used.
void report_device(const LlamaModel& model, std::ostream& err);

// What a file does not say or says wrongly: --n-head-kv, --gqa, --eps, --rope-freq-base,
// --rope-freq-scale, --n-ctx-train. Values are range-checked here; describe_model checks them against
// the file.
ModelOverrides parse_model_overrides(Args& args);
extern const std::string_view kOverrideOptionsUsage;

// The sampling flags: --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n,
// --presence-penalty, --frequency-penalty, --mirostat 0|1|2, --mirostat-lr, --mirostat-ent, --seed.
// Defaults are SamplerSettings' (llama.cpp main's); without --seed the seed comes from the clock.
SamplerSettings parse_sampler_options(Args& args);
extern const std::string_view kSamplerOptionsUsage;

// A generating command's full usage: its own text, then the model and sampling option lists.
std::string generation_usage(std::string_view command_usage);

// --template NAME|SPEC: a built-in name (orca-hashes, llama-2-chat, alpaca, vicuna, chatml, raw) or a
// template in PromptTemplate's syntax (recognised by its {user} placeholder).
PromptTemplate parse_template(const std::string& name_or_spec);

} // namespace fireside::cli
