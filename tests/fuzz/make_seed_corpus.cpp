// Writes the fuzzers' seed corpus: small valid ggjt and GGUF files from the test fixtures, in several
// tensor types, GGUF versions and alignments.
#include "tests/engine/test_format_fixtures.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace fx = fireside::fixture;

namespace {

void write(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seed_corpus DIR\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    for (const char* sub : {"ggjt", "gguf", "ggjt-work", "gguf-work"})
        std::filesystem::create_directories(dir / sub);
    int n = 0;
    for (uint32_t type : {uint32_t(fx::kF32), uint32_t(fx::kF16), uint32_t(fx::kQ8_0)}) {
        fx::Model m = fx::tiny_llama(type, 1, false);
        write(dir / "ggjt" / ("tiny-" + std::to_string(type) + ".bin"), fx::build_ggjt(m));
        for (uint32_t version : {2u, 3u})
            write(dir / "gguf" / ("tiny-" + std::to_string(type) + "-v" + std::to_string(version) + ".gguf"),
                  fx::build_gguf(m, {.version = version,
                                     .alignment = version == 2 ? 32u : 16u,
                                     .every_value_type = type == fx::kF32}));
        ++n;
    }
    std::cout << "wrote " << n * 3 << " seed files to " << dir.string() << "\n";
    return 0;
}
