#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace fireside {

// A whole file mapped read-only into memory. Mapping reads nothing: pages are faulted in only when the
// bytes are touched, so opening a 40 GB model costs no I/O beyond what the header parser looks at.
class MappedFile {
public:
    // Throws Error("<file>: <problem>") for a missing file, a directory, an empty file, no permission,
    // or a mapping the system refuses.
    static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);

    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    const std::filesystem::path& path() const { return path_; }
    std::span<const std::byte> bytes() const { return {data_, size_}; }
    const std::byte* data() const { return data_; }
    uint64_t size() const { return size_; }

    // Lets the system drop the pages of [p, p + n) from this mapping (whole pages inside the range):
    // for data that now lives elsewhere. The bytes stay readable: touching them again reads them back
    // (from the page cache, or the disk). A hint; some systems ignore it.
    void release(const void* p, size_t n) const;

private:
    MappedFile() = default;

    std::filesystem::path path_;
    const std::byte* data_ = nullptr;
    size_t size_ = 0;
#ifdef _WIN32
    void* file_handle_ = nullptr;
    void* mapping_handle_ = nullptr;
#endif
};

} // namespace fireside
