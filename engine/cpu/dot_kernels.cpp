#include "engine/cpu/dot_kernels.h"

#include "engine/cpu/cpu_features.h"

#include <array>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace fireside {
namespace {

void scalar_tile(const BlockTraits& traits, int64_t n, const void* w, size_t w_stride, int n_w, const void* a,
                 size_t a_stride, int n_a, float* out, size_t out_stride) {
    const auto* wb = static_cast<const std::byte*>(w);
    const auto* ab = static_cast<const std::byte*>(a);
    for (int j = 0; j < n_a; ++j)
        for (int i = 0; i < n_w; ++i)
            out[static_cast<size_t>(j) * out_stride + static_cast<size_t>(i)] = traits.vec_dot(
                n, wb + static_cast<size_t>(i) * w_stride, ab + static_cast<size_t>(j) * a_stride);
}

// One tile function per type that forwards to the block table's scalar dot product.
template <BlockType T>
void scalar_tile_of(int64_t n, const void* w, size_t w_stride, int n_w, const void* a, size_t a_stride,
                    int n_a, float* out, size_t out_stride) {
    static const BlockTraits& traits = block_traits(T);
    scalar_tile(traits, n, w, w_stride, n_w, a, a_stride, n_a, out, out_stride);
}

constexpr std::array kAllTypes = {BlockType::F32,  BlockType::F16,  BlockType::Q4_0, BlockType::Q4_1,
                                  BlockType::Q5_0, BlockType::Q5_1, BlockType::Q8_0, BlockType::Q8_1,
                                  BlockType::Q2_K, BlockType::Q3_K, BlockType::Q4_K, BlockType::Q5_K,
                                  BlockType::Q6_K, BlockType::Q8_K};

template <size_t... I>
constexpr std::array<DotTileFn, sizeof...(I)> scalar_tiles(std::index_sequence<I...>) {
    return {&scalar_tile_of<kAllTypes[I]>...};
}

constexpr auto kScalarTiles = scalar_tiles(std::make_index_sequence<kAllTypes.size()>{});

const DotKernel* scalar_dot_kernel(BlockType type) {
    static const auto table = [] {
        std::array<DotKernel, kAllTypes.size()> kernels{};
        for (size_t i = 0; i < kAllTypes.size(); ++i) {
            const BlockTraits& traits = block_traits(kAllTypes[i]);
            kernels[i] = DotKernel{kAllTypes[i], KernelIsa::Scalar, traits.vec_dot, kScalarTiles[i], 4, 4};
        }
        return kernels;
    }();
    for (const DotKernel& k : table)
        if (k.type == type) return k.vec_dot ? &k : nullptr;
    return nullptr;
}

KernelIsa isa_cap() {
    static const KernelIsa cap = [] {
        const char* env = std::getenv("FIRESIDE_CPU_KERNELS");
        const std::string_view v = env ? env : "";
        if (v == "scalar") return KernelIsa::Scalar;
        if (v == "avx2") return KernelIsa::Avx2;
        if (v == "avx512") return KernelIsa::Avx512;
        return KernelIsa::Neon; // no cap
    }();
    return cap;
}

} // namespace

const char* kernel_isa_name(KernelIsa isa) {
    switch (isa) {
    case KernelIsa::Scalar:
        return "scalar";
    case KernelIsa::Avx2:
        return "avx2";
    case KernelIsa::Avx512:
        return "avx512";
    case KernelIsa::Avx512Vbmi:
        return "avx512vbmi";
    case KernelIsa::Neon:
        return "neon";
    }
    return "?";
}

const DotKernel* dot_kernel_for(BlockType type, KernelIsa isa) {
    const CpuFeatures& cpu = cpu_features();
    switch (isa) {
    case KernelIsa::Scalar:
        return scalar_dot_kernel(type);
    case KernelIsa::Avx2:
        return cpu.has_avx2_kernels() ? avx2_dot_kernel(type) : nullptr;
    case KernelIsa::Avx512:
        return cpu.has_avx512_kernels() ? avx512_dot_kernel(type) : nullptr;
    case KernelIsa::Avx512Vbmi:
        return cpu.has_avx512vbmi_kernels() ? avx512vbmi_dot_kernel(type) : nullptr;
    case KernelIsa::Neon:
        return cpu.neon && cpu.dotprod ? neon_dot_kernel(type) : nullptr;
    }
    return nullptr;
}

const DotKernel* find_dot_kernel(std::span<const DotKernel> table, BlockType type) {
    for (const DotKernel& k : table)
        if (k.type == type) return &k;
    return nullptr;
}

size_t activation_row_bytes(const DotKernel& kernel, int64_t n) {
    if (kernel.act_row_bytes) return kernel.act_row_bytes(n);
    return row_bytes(block_traits(kernel.type).vec_dot_type, n);
}

const DotKernel& best_dot_kernel(BlockType type) {
    const KernelIsa cap = isa_cap();
    for (KernelIsa isa : {KernelIsa::Avx512Vbmi, KernelIsa::Avx512, KernelIsa::Neon, KernelIsa::Avx2}) {
        if (cap == KernelIsa::Scalar || (cap == KernelIsa::Avx2 && isa != KernelIsa::Avx2) ||
            (cap == KernelIsa::Avx512 && isa == KernelIsa::Avx512Vbmi))
            continue;
        if (const DotKernel* k = dot_kernel_for(type, isa)) return *k;
    }
    const DotKernel* k = scalar_dot_kernel(type);
    if (!k) {
        static const DotKernel none{};
        return none;
    }
    return *k;
}

} // namespace fireside
