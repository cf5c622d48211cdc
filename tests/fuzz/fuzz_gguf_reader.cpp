#include "engine/format/tensor_checks.h"
#include "tests/fuzz/fuzz_model_input.h"

// Feeds arbitrary bytes to the GGUF reader (the input's first four bytes stand for the magic), then through
// parse_model_file's dispatch as well.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    try {
        fireside::fuzz::exercise(fireside::parse_gguf(bytes, "fuzz.gguf"));
    } catch (const fireside::Error&) {
    }
    try {
        fireside::fuzz::exercise(fireside::parse_model_file(bytes, "fuzz.gguf"));
    } catch (const fireside::Error&) {
    }
    return 0;
}
