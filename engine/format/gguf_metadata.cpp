#include "engine/format/gguf_metadata.h"

#include "engine/core/error.h"

#include <fmt/format.h>
#include <limits>

namespace fireside {
namespace {

const MetaValue* find_value(const ModelFile& file, std::string_view key) {
    auto it = file.metadata.find(std::string(key));
    return it == file.metadata.end() ? nullptr : &it->second;
}

[[noreturn]] void wrong_type(const ModelFile& file, std::string_view key, std::string_view wanted) {
    throw Error(fmt::format("{}: metadata '{}' does not hold {}", file.path.string(), key, wanted));
}

template <typename T>
constexpr std::string_view item_name() {
    if constexpr (std::is_same_v<T, int64_t>)
        return "integers";
    else if constexpr (std::is_same_v<T, uint64_t>)
        return "unsigned integers";
    else if constexpr (std::is_same_v<T, double>)
        return "numbers";
    else if constexpr (std::is_same_v<T, bool>)
        return "booleans";
    else
        return "strings";
}

} // namespace

std::optional<int64_t> gguf_int(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return std::nullopt;
    if (auto* i = std::get_if<int64_t>(v)) return *i;
    if (auto* u = std::get_if<uint64_t>(v);
        u && *u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return static_cast<int64_t>(*u);
    wrong_type(file, key, "an integer");
}

std::optional<uint64_t> gguf_uint(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return std::nullopt;
    if (auto* u = std::get_if<uint64_t>(v)) return *u;
    if (auto* i = std::get_if<int64_t>(v); i && *i >= 0) return static_cast<uint64_t>(*i);
    wrong_type(file, key, "a non-negative integer");
}

std::optional<double> gguf_float(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return std::nullopt;
    if (auto* d = std::get_if<double>(v)) return *d;
    if (auto* i = std::get_if<int64_t>(v)) return static_cast<double>(*i);
    if (auto* u = std::get_if<uint64_t>(v)) return static_cast<double>(*u);
    wrong_type(file, key, "a number");
}

std::optional<bool> gguf_bool(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return std::nullopt;
    if (auto* b = std::get_if<bool>(v)) return *b;
    wrong_type(file, key, "a boolean");
}

std::optional<std::string> gguf_string(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return std::nullopt;
    if (auto* s = std::get_if<std::string>(v)) return *s;
    wrong_type(file, key, "a string");
}

template <typename T>
const std::vector<T>* gguf_array(const ModelFile& file, std::string_view key) {
    const MetaValue* v = find_value(file, key);
    if (!v) return nullptr;
    const auto* array = std::get_if<MetaArray>(v);
    if (!array) wrong_type(file, key, fmt::format("an array of {}", item_name<T>()));
    if (auto* items = std::get_if<std::vector<T>>(array)) return items;
    wrong_type(file, key, fmt::format("an array of {}", item_name<T>()));
}

template const std::vector<int64_t>* gguf_array<int64_t>(const ModelFile&, std::string_view);
template const std::vector<uint64_t>* gguf_array<uint64_t>(const ModelFile&, std::string_view);
template const std::vector<double>* gguf_array<double>(const ModelFile&, std::string_view);
template const std::vector<bool>* gguf_array<bool>(const ModelFile&, std::string_view);
template const std::vector<std::string>* gguf_array<std::string>(const ModelFile&, std::string_view);

std::string describe_meta_value(const MetaValue& value) {
    struct Visitor {
        std::string operator()(int64_t v) const { return fmt::format("{}", v); }
        std::string operator()(uint64_t v) const { return fmt::format("{}", v); }
        std::string operator()(double v) const { return fmt::format("{}", v); }
        std::string operator()(bool v) const { return v ? "true" : "false"; }
        std::string operator()(const std::string& v) const {
            return v.size() > 60 ? fmt::format("\"{}...\" ({} bytes)", v.substr(0, 57), v.size())
                                 : fmt::format("\"{}\"", v);
        }
        std::string operator()(const MetaArray& a) const {
            return std::visit(
                [](const auto& items) {
                    using Item = typename std::decay_t<decltype(items)>::value_type;
                    return fmt::format("[{} {}]", items.size(), item_name<Item>());
                },
                a);
        }
    };
    return std::visit(Visitor{}, value);
}

} // namespace fireside
