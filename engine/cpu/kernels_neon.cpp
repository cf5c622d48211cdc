#include "engine/cpu/dot_kernels.h"

namespace fireside {

const DotKernel* neon_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside
