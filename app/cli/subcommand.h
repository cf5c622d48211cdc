#pragma once

#include "app/cli/args.h"

#include <ostream>
#include <span>
#include <string_view>

namespace fireside::cli {

// Where a subcommand writes: the process's stdout/stderr, or string streams in tests.
struct Io {
    std::ostream& out;
    std::ostream& err;
};

// One `fireside-cli NAME ...` command. `run` returns the exit status; it throws Error for failures
// the user can act on, which the dispatcher prints as one line and turns into exit status 1.
struct Subcommand {
    std::string_view name;
    std::string_view summary; // one line for --help
    std::string_view usage;   // the full option list for `fireside-cli NAME --help`
    int (*run)(Args& args, Io& io);
};

// Subcommands register themselves from their own source file:
//   const bool registered = register_subcommand({"info", "...", "...", &run_info});
bool register_subcommand(const Subcommand& command);
std::span<const Subcommand> subcommands();

// Runs `fireside-cli` with the arguments after the program name.
int run(std::span<const std::string> arguments, Io& io);

} // namespace fireside::cli
