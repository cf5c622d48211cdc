#pragma once

#include "engine/model/llama_weights.h"

#include <cstdint>
#include <span>
#include <vector>

namespace fireside {

// The hidden state of one batch as it flows through the layers: n_tokens rows of n_embd values at
// positions pos0 .. pos0 + n_tokens - 1.
struct BatchState {
    float* hidden = nullptr;
    int64_t n_tokens = 0;
    int64_t pos0 = 0;
};

// What computes transformer layers. The CPU computes them all today; a GPU backend can later take a
// range of layers of the same plan and leave the rest here.
class LayerBackend {
public:
    virtual ~LayerBackend() = default;
    virtual const char* name() const = 0;
    // Runs layer `layer` over the batch in place (attention with its KV cache, then the feed-forward).
    virtual void run_layer(int64_t layer, const LayerWeights& weights, BatchState& batch) = 0;
    // Moves the cached positions [begin, end) of its layers by delta (see shift_kv_positions), so a
    // full context can drop old turns and keep the rest of the cache; only where can_shift_kv().
    virtual bool can_shift_kv() const { return false; }
    virtual void shift_kv(int64_t begin, int64_t end, int64_t delta);
};

// Which backend runs each layer.
struct LayerPlan {
    std::vector<LayerBackend*> backend_of_layer;
};

} // namespace fireside
