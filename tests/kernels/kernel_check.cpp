// The checks of tests/engine/test_cpu_kernels.cpp without Qt, so that they also run where only a cross
// compiler and an emulator exist (the arm64 NEON kernels under qemu): every SIMD kernel of this machine
// against the block table's scalar reference on random blocks with zero, extreme and subnormal scales,
// every tile shape and rows of odd lengths; vec_dot against the 1 x 1 tile; the SIMD activation
// quantizers against the scalar ones; the threaded matmul against row-by-row dots; and swiglu and
// softmax against double-precision formulas.
//
//   kernel_check [--require ISA]   ISA: neon, avx2, avx512 or avx512vbmi; fails unless that instruction
//                                  set has a kernel for every weight type and is the one matmul uses.
// Ends with "N passed, N failed"; the exit status is 1 when anything failed.
#include "engine/cpu/cpu_features.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/matmul.h"
#include "engine/cpu/thread_pool.h"
#include "engine/quant/blocks.h"
#include "engine/quant/fp16.h"
#include "tests/support/kernel_fixtures.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace fireside;
using namespace fireside::test;

namespace {

CheckLog g_log;

// The instruction set named on the command line has a kernel for every weight type, and matmul picks it.
void required_isa(std::string_view name) {
    CheckLog& log = g_log;
    KernelIsa isa = KernelIsa::Scalar;
    bool known = false;
    for (KernelIsa i : {KernelIsa::Avx2, KernelIsa::Avx512, KernelIsa::Avx512Vbmi, KernelIsa::Neon})
        if (name == kernel_isa_name(i)) {
            isa = i;
            known = true;
        }
    if (!log.check(known, "unknown instruction set '" + std::string(name) + "'")) return;
    for (BlockType wt : kWeightTypes) {
        const std::string type = std::string(block_traits(wt).name);
        log.check(dot_kernel_for(wt, isa) != nullptr, std::string(name) + ": no kernel for " + type);
        log.check(best_dot_kernel(wt).isa == isa, std::string(name) + ": best kernel for " + type + " is " +
                                                      kernel_isa_name(best_dot_kernel(wt).isa));
    }
}

} // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--require" && i + 1 < argc) {
            required_isa(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--require neon|avx2|avx512|avx512vbmi]\n", argv[0]);
            return 2;
        }
    }
    const CpuFeatures& cpu = cpu_features();
    std::printf("kernel_check: neon=%d dotprod=%d avx2=%d avx512=%d\n", cpu.neon, cpu.dotprod,
                cpu.has_avx2_kernels(), cpu.has_avx512_kernels());
    for (BlockType wt : kWeightTypes) {
        std::string isas;
        for (const DotKernel* k : simd_kernels(wt)) isas += std::string(" ") + kernel_isa_name(k->isa);
        std::printf("  %-5s SIMD kernels:%s\n", std::string(block_traits(wt).name).c_str(),
                    isas.empty() ? " none" : isas.c_str());
        simd_matches_scalar_reference(wt, g_log);
        packed_matches_scalar_reference(wt, g_log);
    }
    simd_activation_quantizers(g_log);
    matmul_matches_plain_loop(g_log);
    float_primitives_match_double(g_log);
    for (const std::string& f : g_log.failures) std::printf("FAIL: %s\n", f.c_str());
    std::printf("%d passed, %d failed\n", g_log.passed, g_log.failed);
    return g_log.failed == 0 ? 0 : 1;
}
