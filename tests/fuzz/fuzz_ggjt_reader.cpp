#include "engine/format/tensor_checks.h"
#include "tests/fuzz/fuzz_model_input.h"

// Feeds arbitrary bytes to the ggjt reader (the input's first four bytes stand for the magic).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    try {
        fireside::fuzz::exercise(fireside::parse_ggjt(bytes, "fuzz.bin"));
    } catch (const fireside::Error&) {
    }
    return 0;
}
