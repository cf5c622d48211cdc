#include "engine/cpu/dot_kernels.h"

namespace fireside {

const DotKernel* avx512_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside
