#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fireside {

// llama.cpp's LLAMA_FTYPE numbering of a whole file's quantization mix, as stored in the ggjt header's
// ftype field and in GGUF's general.file_type. Numbers 5 and 6 were retired upstream (Q4_2/Q4_3).
struct FileTypeName {
    uint32_t number;
    std::string_view name; // "ALL_F32", "MOSTLY_Q4_K_M", ...
};

std::span<const FileTypeName> all_file_types();

// The llama.cpp name for a number, or nullopt when the number is not in the table.
std::optional<std::string_view> file_type_name(uint32_t number);
// The number for a name; accepts the name with or without "MOSTLY_"/"LLAMA_FTYPE_" and in any case
// ("q4_k_m", "MOSTLY_Q4_K_M" and "LLAMA_FTYPE_MOSTLY_Q4_K_M" all give 15; "f32" gives 0).
std::optional<uint32_t> file_type_number(std::string_view name);
// The name, or "UNKNOWN(<n>)" for a number outside the table (for display only).
std::string file_type_display_name(uint32_t number);

} // namespace fireside
