#pragma once

#include "app/cli/subcommand.h"

#include <sstream>
#include <string>
#include <vector>

namespace fireside::test {

// The result of running fireside-cli in-process.
struct CliResult {
    int status = 0;
    std::string out;
    std::string err;
};

// Runs `fireside-cli ARGS...` through the same dispatcher as the executable, without a process.
inline CliResult run_cli(std::vector<std::string> arguments) {
    std::ostringstream out, err;
    cli::Io io{out, err};
    CliResult r;
    r.status = cli::run(arguments, io);
    r.out = out.str();
    r.err = err.str();
    return r;
}

} // namespace fireside::test
