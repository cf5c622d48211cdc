#include "engine/core/large_buffer.h"

#include "engine/core/error.h"

#include <cstdlib>
#include <fmt/format.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace fireside {
namespace {

constexpr size_t kPageBytes = size_t{2} << 20;

} // namespace

LargeBuffer::LargeBuffer(size_t bytes, std::string_view what) : size_(bytes) {
    if (bytes == 0) return;
    const size_t size = (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
    if (size < bytes) throw Error(fmt::format("{} would need an impossible {} bytes", what, bytes));
#if defined(_WIN32)
    void* p = _aligned_malloc(size, kPageBytes);
#else
    void* p = std::aligned_alloc(kPageBytes, size);
#endif
    if (!p)
        throw Error(fmt::format("not enough memory for {} ({:.2f} GiB)", what,
                                static_cast<double>(bytes) / (1 << 30)));
    memory_.reset(static_cast<std::byte*>(p));
#if defined(__linux__)
    madvise(p, size, MADV_HUGEPAGE); // a hint: without transparent huge pages it changes nothing
#endif
}

void LargeBuffer::Free::operator()(std::byte* p) const {
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
}

} // namespace fireside
