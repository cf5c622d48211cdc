#include "engine/format/file_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace fireside {
namespace {

constexpr std::array<FileTypeName, 17> kFileTypes{{
    {0, "ALL_F32"},
    {1, "MOSTLY_F16"},
    {2, "MOSTLY_Q4_0"},
    {3, "MOSTLY_Q4_1"},
    {4, "MOSTLY_Q4_1_SOME_F16"},
    {7, "MOSTLY_Q8_0"},
    {8, "MOSTLY_Q5_0"},
    {9, "MOSTLY_Q5_1"},
    {10, "MOSTLY_Q2_K"},
    {11, "MOSTLY_Q3_K_S"},
    {12, "MOSTLY_Q3_K_M"},
    {13, "MOSTLY_Q3_K_L"},
    {14, "MOSTLY_Q4_K_S"},
    {15, "MOSTLY_Q4_K_M"},
    {16, "MOSTLY_Q5_K_S"},
    {17, "MOSTLY_Q5_K_M"},
    {18, "MOSTLY_Q6_K"},
}};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

std::span<const FileTypeName> all_file_types() {
    return kFileTypes;
}

std::optional<std::string_view> file_type_name(uint32_t number) {
    auto it = std::ranges::find(kFileTypes, number, &FileTypeName::number);
    if (it == kFileTypes.end()) return std::nullopt;
    return it->name;
}

std::optional<uint32_t> file_type_number(std::string_view name) {
    std::string key = upper(name);
    if (key.starts_with("LLAMA_FTYPE_")) key.erase(0, 12);
    for (const FileTypeName& t : kFileTypes) {
        std::string_view full = t.name;
        std::string_view bare = full.starts_with("MOSTLY_") ? full.substr(7)
                                : full.starts_with("ALL_")  ? full.substr(4)
                                                            : full;
        if (key == full || key == bare) return t.number;
    }
    return std::nullopt;
}

std::string file_type_display_name(uint32_t number) {
    if (auto name = file_type_name(number)) return std::string(*name);
    return fmt::format("UNKNOWN({})", number);
}

} // namespace fireside
