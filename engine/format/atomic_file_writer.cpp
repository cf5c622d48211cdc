#include "engine/format/atomic_file_writer.h"

#include "engine/core/error.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fireside {

static_assert(std::endian::native == std::endian::little, "model files are written in host byte order");

namespace {

// Permissions a plain fopen() would have given, so the renamed file looks like any other output.
mode_t default_file_mode() {
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

} // namespace

AtomicFileWriter::AtomicFileWriter(const std::filesystem::path& target) : target_(target) {
    std::filesystem::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    if (target.filename().empty())
        throw Error(fmt::format("cannot write '{}': the output path names no file", target.string()));
    std::string pattern = (dir / ("." + target.filename().string() + ".partial-XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) {
        int e = errno;
        throw Error(fmt::format("cannot create '{}': {} (the folder '{}' must exist and be writable)",
                                target.string(), std::strerror(e), dir.string()));
    }
    temp_ = name.data();
    if (fchmod(fd, default_file_mode()) != 0) {
        // Harmless: the file keeps mkstemp's owner-only permissions.
    }
    file_ = fdopen(fd, "wb");
    if (!file_) {
        int e = errno;
        close(fd);
        std::filesystem::remove(temp_);
        throw Error(fmt::format("cannot create '{}': {}", target.string(), std::strerror(e)));
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFileWriter::~AtomicFileWriter() {
    discard();
}

void AtomicFileWriter::discard() noexcept {
    if (file_) {
        std::fclose(file_);
        file_ = nullptr;
    }
    if (!temp_.empty()) {
        std::error_code ec;
        std::filesystem::remove(temp_, ec);
        temp_.clear();
    }
}

void AtomicFileWriter::fail(const std::string& what, int error_number) {
    discard();
    throw Error(
        fmt::format("writing '{}' failed while {}: {}", target_.string(), what, std::strerror(error_number)));
}

void AtomicFileWriter::write(const void* data, size_t n) {
    if (!file_) throw Error(fmt::format("writing '{}': the file is already closed", target_.string()));
    if (n == 0) return;
    if (std::fwrite(data, 1, n, file_) != n) fail("writing data", errno ? errno : EIO);
    offset_ += n;
}

void AtomicFileWriter::write_zeros(size_t n) {
    static const char zeros[256] = {};
    while (n > 0) {
        size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
        write(zeros, k);
        n -= k;
    }
}

void AtomicFileWriter::pad_to(uint64_t alignment) {
    if (alignment > 1 && offset_ % alignment != 0) write_zeros(alignment - offset_ % alignment);
}

void AtomicFileWriter::commit() {
    if (!file_) throw Error(fmt::format("writing '{}': the file is already closed", target_.string()));
    if (std::fflush(file_) != 0) fail("flushing", errno ? errno : EIO);
    if (fsync(fileno(file_)) != 0 && errno != EINVAL) fail("syncing to disk", errno);
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) fail("closing", errno ? errno : EIO);
    if (std::rename(temp_.c_str(), target_.c_str()) != 0) fail("renaming the finished file", errno);
    temp_.clear();
}

} // namespace fireside
