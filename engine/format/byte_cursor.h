#pragma once

#include "engine/core/error.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <span>
#include <string>
#include <string_view>

namespace fireside {

// Bounds-checked little-endian reading from a file's bytes. Every read that would pass the end throws
// Error("<file>: truncated ...") naming what was being read, so parsers never index past the buffer.
class ByteCursor {
public:
    ByteCursor(std::span<const std::byte> bytes, std::string_view file_name)
        : bytes_(bytes), name_(file_name) {}

    uint64_t offset() const { return pos_; }
    uint64_t size() const { return bytes_.size(); }
    uint64_t remaining() const { return bytes_.size() - pos_; }
    bool at_end() const { return pos_ == bytes_.size(); }
    std::span<const std::byte> bytes() const { return bytes_; }
    const std::string& file_name() const { return name_; }

    void seek(uint64_t offset, std::string_view what) {
        if (offset > bytes_.size())
            fail(fmt::format("truncated: {} at offset {} lies past the end of the file ({} bytes)", what,
                             offset, bytes_.size()));
        pos_ = offset;
    }

    void skip(uint64_t n, std::string_view what) {
        need(n, what);
        pos_ += n;
    }

    template <typename T>
    T read(std::string_view what) {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T), what);
        T value;
        std::memcpy(&value, bytes_.data() + pos_, sizeof(T)); // files are little endian, as are our hosts
        pos_ += sizeof(T);
        return value;
    }

    uint32_t u32(std::string_view what) { return read<uint32_t>(what); }
    uint64_t u64(std::string_view what) { return read<uint64_t>(what); }

    std::string_view view(uint64_t n, std::string_view what) {
        need(n, what);
        std::string_view s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
        pos_ += n;
        return s;
    }

    // Throws the standard one-line error for this file. Names quoted from a corrupt file may hold control
    // characters; they are escaped so the message stays one printable line.
    [[noreturn]] void fail(const std::string& problem) const {
        throw Error(fmt::format("{}: {}", name_, one_line(problem)));
    }

    static std::string one_line(std::string_view text) {
        std::string out;
        out.reserve(text.size());
        for (char ch : text) {
            auto c = static_cast<unsigned char>(ch);
            if (c < 0x20 || c == 0x7F)
                out += fmt::format("\\x{:02x}", c);
            else
                out.push_back(ch);
        }
        return out;
    }

    // True when a name read from the file (tensor name, metadata key) has no control characters.
    static bool is_clean_name(std::string_view name) {
        for (char ch : name) {
            auto c = static_cast<unsigned char>(ch);
            if (c < 0x20 || c == 0x7F) return false;
        }
        return true;
    }

private:
    void need(uint64_t n, std::string_view what) const {
        if (n > remaining())
            fail(fmt::format("truncated: {} needs {} bytes at offset {} but the file ends at {}", what, n,
                             pos_, bytes_.size()));
    }

    std::span<const std::byte> bytes_;
    std::string name_;
    uint64_t pos_ = 0;
};

} // namespace fireside
