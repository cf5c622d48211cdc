#include "app/cli/args.h"

#include "engine/core/error.h"

#include <charconv>
#include <fmt/format.h>

namespace fireside::cli {

Args::Args(std::vector<std::string> arguments) : args_(std::move(arguments)), used_(args_.size(), false) {}

std::optional<size_t> Args::find(std::string_view name, std::string_view alias, bool with_value,
                                 std::string* value_out) {
    std::optional<size_t> found;
    for (size_t i = 0; i < args_.size(); ++i) {
        if (used_[i]) continue;
        const std::string& a = args_[i];
        for (std::string_view n : {name, alias}) {
            if (n.empty()) continue;
            if (a == n) {
                if (with_value) {
                    if (i + 1 >= args_.size()) throw Error(fmt::format("option {} needs a value", n));
                    used_[i] = used_[i + 1] = true;
                    *value_out = args_[i + 1];
                } else {
                    used_[i] = true;
                }
                found = i;
            } else if (with_value && a.size() > n.size() + 1 && a.starts_with(n) && a[n.size()] == '=') {
                used_[i] = true;
                *value_out = a.substr(n.size() + 1);
                found = i;
            }
        }
    }
    return found;
}

bool Args::flag(std::string_view name, std::string_view alias) {
    std::string unused;
    return find(name, alias, false, &unused).has_value();
}

std::optional<std::string> Args::value(std::string_view name, std::string_view alias) {
    std::string v;
    if (!find(name, alias, true, &v)) return std::nullopt;
    return v;
}

std::optional<int64_t> Args::integer(std::string_view name, std::string_view alias) {
    auto v = value(name, alias);
    if (!v) return std::nullopt;
    int64_t out = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || end != v->data() + v->size())
        throw Error(fmt::format("option {} expects a whole number, got '{}'", name, *v));
    return out;
}

std::optional<double> Args::number(std::string_view name, std::string_view alias) {
    auto v = value(name, alias);
    if (!v) return std::nullopt;
    double out = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || end != v->data() + v->size())
        throw Error(fmt::format("option {} expects a number, got '{}'", name, *v));
    return out;
}

std::optional<std::string> Args::positional() {
    for (size_t i = 0; i < args_.size(); ++i) {
        if (used_[i]) continue;
        const std::string& a = args_[i];
        if (a.size() > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) continue;
        used_[i] = true;
        return a;
    }
    return std::nullopt;
}

std::string Args::required_positional(std::string_view what) {
    auto v = positional();
    if (!v) throw Error(fmt::format("missing {}", what));
    return *v;
}

void Args::finish() const {
    for (size_t i = 0; i < args_.size(); ++i)
        if (!used_[i]) throw Error(fmt::format("unknown or misplaced argument '{}' (see --help)", args_[i]));
}

bool Args::empty() const {
    for (bool u : used_)
        if (!u) return false;
    return true;
}

} // namespace fireside::cli
