#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fireside::cli {

// A small llama.cpp-style option parser: a subcommand takes the options it knows one by one, then
// `finish()` rejects whatever is left, so a typo is an error rather than silently ignored.
// Values are given as `--name value` or `--name=value`.
class Args {
public:
    explicit Args(std::vector<std::string> arguments);

    // A flag without value (for example --json); true when present.
    bool flag(std::string_view name, std::string_view alias = {});
    // The value of an option, if given (the last one wins when repeated).
    std::optional<std::string> value(std::string_view name, std::string_view alias = {});
    std::optional<int64_t> integer(std::string_view name, std::string_view alias = {});
    std::optional<double> number(std::string_view name, std::string_view alias = {});
    // The next positional argument, or nothing when none is left.
    std::optional<std::string> positional();
    // A positional argument that must be there; `what` names it in the error.
    std::string required_positional(std::string_view what);
    // Throws Error for any argument that no call above consumed.
    void finish() const;

    bool empty() const;

private:
    std::optional<size_t> find(std::string_view name, std::string_view alias, bool with_value,
                                std::string* value_out);
    std::vector<std::string> args_;
    std::vector<bool> used_;
};

} // namespace fireside::cli
