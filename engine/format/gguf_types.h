#pragma once

#include <cstdint>

namespace fireside {

// The GGUF container's constants, shared by the reader and the writer.
constexpr uint32_t kGgufMagic = 0x46554747; // "GGUF" read as a little-endian u32

// Metadata value types, numbered as GGUF numbers them.
enum class GgufType : uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

} // namespace fireside
