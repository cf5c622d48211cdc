#pragma once

#include <cstdint>
#include <span>
#include <string_view>

// The SPIR-V of every shaders/*.comp, compiled at build time and linked into the engine.
namespace fireside::shaders {

struct Shader {
    std::string_view name; // the .comp file's base name
    std::span<const uint32_t> words;
};

std::span<const Shader> all();
// The shader's words, or an empty span when no shader has that name.
std::span<const uint32_t> find(std::string_view name);

} // namespace fireside::shaders
