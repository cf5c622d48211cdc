#pragma once

namespace fireside {

// Instruction-set extensions the CPU kernels can use, detected once at run time so that one binary
// runs everywhere and still uses the widest units the machine has.
struct CpuFeatures {
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;
    bool avxvnni = false;
    bool avx512vbmi = false;
    bool gfni = false;
    bool neon = false;
    bool dotprod = false;

    // The bundles the kernel files are compiled for.
    bool has_avx2_kernels() const { return avx2 && fma && f16c; }
    bool has_avx512_kernels() const {
        return has_avx2_kernels() && avx512f && avx512bw && avx512vl && avx512vnni;
    }
    bool has_avx512vbmi_kernels() const { return has_avx512_kernels() && avx512vbmi && gfni; }
};

const CpuFeatures& cpu_features();

// True where the AVX2 (+FMA, F16C) code paths may run: an x86-64 build on a CPU that has them.
bool avx2_kernels_enabled();

// Physical cores (not hyper-threads) of this machine: matrix products are limited by memory and the
// vector units, which two hyper-threads of one core share, so this is the best default thread count.
int physical_core_count();

} // namespace fireside
