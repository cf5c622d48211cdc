#include "engine/model/layer_backend.h"

#include "engine/core/error.h"

#include <fmt/format.h>

namespace fireside {

void LayerBackend::shift_kv(int64_t, int64_t, int64_t) {
    throw Error(fmt::format("internal: the {} backend cannot move cached positions", name()));
}

} // namespace fireside
