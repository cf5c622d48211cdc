#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

#include <cstring>

namespace fireside::reference {

void quantize_row_f32(const float* src, void* dst, int64_t n) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void quantize_row_f16(const float* src, void* dst, int64_t n) {
    auto* h = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(src[i]);
}

} // namespace fireside::reference
