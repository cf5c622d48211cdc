#include "engine/core/mapped_file.h"

#include "engine/core/error.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <system_error>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fireside {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
    throw Error(fmt::format("{}: {}", path.string(), problem));
}

// Checks that apply on every system, so the messages are the same everywhere.
uint64_t checked_regular_size(const std::filesystem::path& path) {
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory)
            fail(path, fmt::format("cannot open: {}", ec.message()));
        fail(path, "no such file");
    }
    if (std::filesystem::is_directory(status)) fail(path, "is a directory, not a model file");
    if (!std::filesystem::is_regular_file(status)) fail(path, "is not a regular file");
    uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) fail(path, fmt::format("cannot read the size: {}", ec.message()));
    if (size == 0) fail(path, "file is empty");
    return size;
}

} // namespace

#ifdef _WIN32

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& path) {
    checked_regular_size(path);
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->path_ = path;
    HANDLE handle = CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        DWORD code = GetLastError();
        if (code == ERROR_ACCESS_DENIED) fail(path, "permission denied");
        fail(path, fmt::format("cannot open (Windows error {})", code));
    }
    file->file_handle_ = handle;
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(handle, &size)) fail(path, "cannot read the size");
    if (size.QuadPart == 0) fail(path, "file is empty");
    HANDLE mapping = CreateFileMappingW(handle, nullptr, PAGE_READONLY, 0, 0, nullptr);
    if (!mapping) fail(path, fmt::format("cannot map the file (Windows error {})", GetLastError()));
    file->mapping_handle_ = mapping;
    void* view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (!view) fail(path, fmt::format("cannot map the file (Windows error {})", GetLastError()));
    file->data_ = static_cast<const std::byte*>(view);
    file->size_ = static_cast<size_t>(size.QuadPart);
    return file;
}

void MappedFile::release(const void*, size_t) const {} // the working set manager trims on its own

MappedFile::~MappedFile() {
    if (data_) UnmapViewOfFile(data_);
    if (mapping_handle_) CloseHandle(static_cast<HANDLE>(mapping_handle_));
    if (file_handle_) CloseHandle(static_cast<HANDLE>(file_handle_));
}

#else

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& path) {
    checked_regular_size(path);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = errno;
        if (code == EACCES || code == EPERM) fail(path, "permission denied");
        if (code == ENOENT) fail(path, "no such file");
        fail(path, fmt::format("cannot open: {}", std::strerror(code)));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int code = errno;
        ::close(fd);
        fail(path, fmt::format("cannot read the size: {}", std::strerror(code)));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        fail(path, "is a directory, not a model file");
    }
    if (st.st_size <= 0) {
        ::close(fd);
        fail(path, "file is empty");
    }
    size_t size = static_cast<size_t>(st.st_size);
    void* view = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    int code = errno;
    ::close(fd); // the mapping keeps the file alive
    if (view == MAP_FAILED) fail(path, fmt::format("cannot map the file: {}", std::strerror(code)));
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->path_ = path;
    file->data_ = static_cast<const std::byte*>(view);
    file->size_ = size;
    return file;
}

void MappedFile::release(const void* p, size_t n) const {
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const auto end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
    const auto first = reinterpret_cast<uintptr_t>(data_), last = first + size_;
    if (begin >= end || begin < first || end > last) return;
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

#endif

} // namespace fireside
