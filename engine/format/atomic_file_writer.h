#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace fireside {

// Writes a file through a temporary file beside the target that is renamed over the target only by
// commit(). A failed, cancelled or abandoned write (the destructor runs without commit) removes the
// temporary file, so the target name never holds half a file. Every write, flush and close is checked
// and a failure throws Error naming the target and the system's reason (for example a full disk).
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(const std::filesystem::path& target);
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
    ~AtomicFileWriter();

    void write(const void* data, size_t n);
    void write_zeros(size_t n);
    // Zero bytes up to the next multiple of `alignment` of the file offset.
    void pad_to(uint64_t alignment);
    template <typename T>
    void put(const T& value) {
        write(&value, sizeof(T));
    }

    uint64_t offset() const { return offset_; }
    const std::filesystem::path& target() const { return target_; }

    // Flushes, syncs, closes and renames the temporary file to the target.
    void commit();

private:
    [[noreturn]] void fail(const std::string& what, int error_number);
    void discard() noexcept;

    std::filesystem::path target_;
    std::filesystem::path temp_;
    std::FILE* file_ = nullptr;
    uint64_t offset_ = 0;
};

} // namespace fireside
