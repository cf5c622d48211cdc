#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace fireside {

// Uninitialised memory for large arrays that are read over and over (weight copies, the KV cache), aligned to
// and rounded up to 2 MiB and offered to the system for huge pages: the hardware prefetchers then
// stream on instead of stopping at every 4 KiB page, and scattered reads cost far fewer TLB misses.
class LargeBuffer {
public:
    LargeBuffer() = default;
    // Throws Error naming `what` when the memory cannot be had.
    LargeBuffer(size_t bytes, std::string_view what);

    std::byte* data() { return memory_.get(); }
    const std::byte* data() const { return memory_.get(); }
    size_t size() const { return size_; }

private:
    struct Free {
        void operator()(std::byte* p) const;
    };
    std::unique_ptr<std::byte, Free> memory_;
    size_t size_ = 0;
};

} // namespace fireside
