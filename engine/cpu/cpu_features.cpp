#include "engine/cpu/cpu_features.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__aarch64__)
#include <sys/auxv.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif
#if defined(_WIN32)
#include <vector>
#include <windows.h>
#endif

namespace fireside {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0 says whether the OS saves the wide registers on context switches; without that the
// instructions exist but must not be used.
unsigned long long read_xcr0() {
    unsigned int eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
    const bool osxsave = (ecx >> 27) & 1;
    const bool avx = (ecx >> 28) & 1;
    f.fma = (ecx >> 12) & 1;
    f.f16c = (ecx >> 29) & 1;
    if (!osxsave || !avx) return CpuFeatures{};
    const unsigned long long xcr0 = read_xcr0();
    const bool ymm_saved = (xcr0 & 0x6) == 0x6;
    const bool zmm_saved = (xcr0 & 0xe6) == 0xe6;
    if (!ymm_saved) return CpuFeatures{};
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        f.avx2 = (ebx >> 5) & 1;
        if (zmm_saved) {
            f.avx512f = (ebx >> 16) & 1;
            f.avx512bw = (ebx >> 30) & 1;
            f.avx512vl = (ebx >> 31) & 1;
            f.avx512vnni = (ecx >> 11) & 1;
            f.avx512vbmi = (ecx >> 1) & 1;
        }
        f.gfni = (ecx >> 8) & 1;
    }
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) f.avxvnni = (eax >> 4) & 1;
    return f;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
    CpuFeatures f;
    f.neon = true;
#if defined(__linux__)
    // HWCAP_ASIMDDP: the SDOT/UDOT instructions.
    f.dotprod = (getauxval(AT_HWCAP) & (1UL << 20)) != 0;
#elif defined(__APPLE__)
    f.dotprod = true;
#endif
    return f;
}
#else
CpuFeatures detect() {
    return CpuFeatures{};
}
#endif

int logical_fallback() {
    return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

int physical_core_count() {
    static const int count = [] {
#if defined(__linux__)
        // Each distinct (package, core) pair among the online CPUs is one physical core.
        std::set<std::pair<std::string, std::string>> cores;
        for (int cpu = 0; cpu < 4096; ++cpu) {
            const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
            std::ifstream core(base + "core_id"), package(base + "physical_package_id");
            if (!core) {
                if (cpu >= logical_fallback()) break;
                continue;
            }
            std::string core_id, package_id;
            core >> core_id;
            package >> package_id;
            cores.emplace(package_id, core_id);
        }
        if (!cores.empty()) return std::min(static_cast<int>(cores.size()), logical_fallback());
#elif defined(__APPLE__)
        int n = 0;
        size_t size = sizeof(n);
        if (sysctlbyname("hw.physicalcpu", &n, &size, nullptr, 0) == 0 && n > 0) return n;
#elif defined(_WIN32)
        DWORD bytes = 0;
        GetLogicalProcessorInformation(nullptr, &bytes);
        std::vector<SYSTEM_LOGICAL_PROCESSOR_INFORMATION> info(bytes /
                                                               sizeof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION));
        if (!info.empty() && GetLogicalProcessorInformation(info.data(), &bytes)) {
            int n = 0;
            for (const auto& entry : info) n += entry.Relationship == RelationProcessorCore;
            if (n > 0) return n;
        }
#endif
        return logical_fallback();
    }();
    return count;
}

bool avx2_kernels_enabled() {
#if defined(__x86_64__)
    static const bool yes = cpu_features().has_avx2_kernels();
    return yes;
#else
    return false;
#endif
}

} // namespace fireside
