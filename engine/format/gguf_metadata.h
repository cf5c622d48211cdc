#pragma once

#include "engine/format/model_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fireside {

// Typed look-ups of GGUF metadata. Each returns nullopt/nullptr when the key is absent and throws
// Error("<file>: metadata '<key>' ...") when it is present with a type that cannot mean what is asked
// (an integer key accepts any integer type whose value fits; a float key also accepts integers).
std::optional<int64_t> gguf_int(const ModelFile& file, std::string_view key);
std::optional<uint64_t> gguf_uint(const ModelFile& file, std::string_view key);
std::optional<double> gguf_float(const ModelFile& file, std::string_view key);
std::optional<bool> gguf_bool(const ModelFile& file, std::string_view key);
std::optional<std::string> gguf_string(const ModelFile& file, std::string_view key);

// The array under `key` if it is present and holds items of type T (int64_t for any signed integer
// type, uint64_t for unsigned, double for floats, bool, std::string); throws for other item types.
template <typename T>
const std::vector<T>* gguf_array(const ModelFile& file, std::string_view key);

// Human-readable text of a value for `info` ("[32000 strings]" for long arrays).
std::string describe_meta_value(const MetaValue& value);

} // namespace fireside
